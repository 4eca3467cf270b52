package io.karst.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConfigParserTest {

  private static Config parse(String text) throws ConfigException {
    return new ConfigParser("karst.conf").parse(text);
  }

  @Test
  void readsTheScstShape() throws Exception {
    Config c = parse(TestBed.CONFIG);
    assertThat(c.handlers()).singleElement().satisfies(h -> {
      assertThat(h.name()).isEqualTo("memory");
      assertThat(h.devices()).extracting(Config.DeviceConf::name).containsExactly("disk0",
          "disk1");
      assertThat(h.devices().get(1).attributes().get("blocksize").text()).isEqualTo("4096");
    });
    var target = c.drivers().get(0).targets().get(0);
    assertThat(target.enabled()).isTrue();
    assertThat(target.luns()).extracting(l -> l.lun() + "=" + l.device() + ":" + l.readOnly())
        .containsExactly("0=disk0:false", "3=disk1:true");
    assertThat(target.groups().get(0).initiators()).containsExactly("iqn.special:*");
    assertThat(c.drivers().get(0).targets().get(1).enabled()).isFalse();
  }

  @Test
  void commentsQuotesAndOneLineBlocks() throws Exception {
    Config c = parse("""
        # a comment
        HANDLER vdisk_fileio { DEVICE d { filename "/a b/c.img" } }  # trailing
        TARGET_DRIVER iscsi { TARGET t { LUN 0 d } }
        """);
    assertThat(c.handlers().get(0).devices().get(0).attributes().get("filename").text())
        .isEqualTo("/a b/c.img");
    assertThat(c.drivers().get(0).targets().get(0).luns()).hasSize(1);
  }

  @Test
  void errorsNameTheLine() throws Exception {
    assertThatThrownBy(() -> parse("HANDLER h {\n DEVICE d {\n }\n"))
        .hasMessage("karst.conf:1: HANDLER h is not closed: a '}' is missing");
    assertThatThrownBy(() -> parse("}\n")).hasMessage("karst.conf:1: '}' closes nothing");
    assertThatThrownBy(() -> parse("TARGET_DRIVER i {\n TARGET t {\n  LUN 0 nothing\n }\n}\n"))
        .hasMessage("karst.conf:3: LUN 0 refers to unknown device nothing");
    assertThatThrownBy(() -> parse("HANDLER h {\n DEVICE d\n DEVICE d\n}\n"))
        .hasMessage("karst.conf:3: device d is already defined on line 2");
    assertThatThrownBy(() -> parse("HANDLER h {\n DEVICE d\n}\nTARGET_DRIVER i {\n"
        + " TARGET t {\n  LUN 0 d\n  LUN 0 d\n }\n}\n"))
        .hasMessage("karst.conf:7: LUN 0 of TARGET t is already defined on line 6");
    assertThatThrownBy(() -> parse("TARGET_DRIVER i {\n enabled maybe\n}\n"))
        .hasMessage("karst.conf:2: enabled must be 0 or 1, not 'maybe'");
    assertThatThrownBy(() -> parse("TARGET_DRIVER i {\n TARGET t {\n  LUN x d\n }\n}\n"))
        .hasMessage("karst.conf:3: LUN 'x' is not a number from 0 to 16383");
    assertThatThrownBy(() -> parse("DEVICE d {\n}\n"))
        .hasMessage("karst.conf:1: DEVICE is not allowed at the top level");
    assertThatThrownBy(() -> parse("HANDLER h {\n size\n}\n"))
        .hasMessage("karst.conf:2: attribute size has no value");
    assertThatThrownBy(() -> parse("HANDLER h {\n DEVICES d\n}\n"))
        .hasMessage("karst.conf:2: unknown keyword DEVICES");
    ConfigParser p = new ConfigParser("karst.conf");
    p.parse("TARGET_DRIVER i {\n TARGET t {\n  GROUP g {\n   addr_method FLAT\n  }\n }\n}\n");
    assertThat(p.warnings()).containsExactly("karst.conf:4: attribute addr_method of GROUP g "
        + "has no meaning in Karst; ignored");
  }

  @Test
  void scstsMixedCaseAttributesAreRead() throws Exception {
    Config c = parse("""
        TARGET_DRIVER iscsi {
            IncomingUser "joe 12charsecret"
            TARGET iqn.2006-10.net.vlnb:tgt {
                HeaderDigest CRC32C,None
            }
        }
        """);
    assertThat(c.drivers().get(0).attributes().get("IncomingUser").text())
        .isEqualTo("joe 12charsecret");
    assertThat(c.drivers().get(0).targets().get(0).attributes().get("HeaderDigest").line())
        .isEqualTo(4);
  }

  @Test
  void aluaGroupsAreRead() throws Exception {
    Config c = parse("""
        HANDLER h {
            DEVICE d1
            DEVICE d2
        }
        TARGET_DRIVER iscsi {
            TARGET a
            TARGET b {
                rel_tgt_id 1
            }
        }
        DEVICE_GROUP dg {
            DEVICE d1
            DEVICE d2
            TARGET_GROUP local {
                group_id 10
                state nonoptimized
                preferred 1
                TARGET a
            }
            TARGET_GROUP remote {
                group_id 11
                TARGET b
                TARGET other-node {
                    rel_tgt_id 5
                }
            }
        }
        """);
    Config.DeviceGroupConf dg = c.deviceGroups().get(0);
    assertThat(dg.devices()).containsExactly("d1", "d2");
    assertThat(dg.targetGroups()).extracting(g -> g.name() + ":" + g.groupId() + ":"
        + g.state() + ":" + g.preferred())
        .containsExactly("local:10:NONOPTIMIZED:true", "remote:11:ACTIVE:false");
    assertThat(dg.targetGroups().get(1).targets()).extracting(t -> t.name() + "/" + t.relTgtId())
        .containsExactly("b/0", "other-node/5");
    assertThat(c.relativeTargetPortIds()).as("explicit first, then the free ones from 1")
        .containsEntry("b", 1).containsEntry("a", 2);
  }

  @Test
  void badAluaGroupsNameTheLine() {
    String devices = "HANDLER h {\n DEVICE d1\n}\n";
    assertThatThrownBy(() -> parse(devices + "DEVICE_GROUP g {\n TARGET_GROUP t {\n"
        + "  state active\n }\n}\n"))
        .hasMessage("karst.conf:5: TARGET_GROUP t needs a group_id (1 to 65535)");
    assertThatThrownBy(() -> parse(devices + "DEVICE_GROUP g {\n TARGET_GROUP t {\n"
        + "  group_id 1\n  state sleepy\n }\n}\n"))
        .hasMessage("karst.conf:7: state 'sleepy' is not one of active, nonoptimized, standby,"
            + " unavailable, offline, transitioning");
    assertThatThrownBy(() -> parse(devices + "DEVICE_GROUP g {\n TARGET_GROUP t {\n"
        + "  group_id 1\n }\n TARGET_GROUP u {\n  group_id 1\n }\n}\n"))
        .hasMessage("karst.conf:8: group_id 1 of TARGET_GROUP u is already the one of"
            + " TARGET_GROUP t on line 5");
    assertThatThrownBy(() -> parse(devices + "DEVICE_GROUP g {\n DEVICE nope\n}\n"))
        .hasMessage("karst.conf:4: DEVICE_GROUP g names unknown device nope");
    assertThatThrownBy(() -> parse(devices + "DEVICE_GROUP g {\n DEVICE d1\n}\n"
        + "DEVICE_GROUP f {\n DEVICE d1\n}\n"))
        .hasMessage("karst.conf:7: device d1 is already in DEVICE_GROUP g");
    assertThatThrownBy(() -> parse("TARGET_DRIVER i {\n TARGET a {\n  rel_tgt_id 3\n }\n"
        + " TARGET b {\n  rel_tgt_id 3\n }\n}\n"))
        .hasMessage("karst.conf:6: rel_tgt_id 3 of TARGET b is already the one of TARGET a");
    assertThatThrownBy(() -> parse(devices + "DEVICE_GROUP g {\n TARGET_GROUP t {\n"
        + "  group_id 1\n  TARGET a\n }\n TARGET_GROUP u {\n  group_id 2\n  TARGET a\n"
        + " }\n}\n"))
        .hasMessage("karst.conf:11: TARGET a is already in a target group of DEVICE_GROUP g"
            + " on line 7");
  }

  @Test
  void repeatedAttributesKeepEveryValueForTheirOwnerToCheck() throws Exception {
    Config c = parse("""
        TARGET_DRIVER iscsi {
            IncomingUser "joe 12charsecret"
            IncomingUser "ann 12charsecre2"
        }
        """);
    Config.Value v = c.drivers().get(0).attributes().get("IncomingUser");
    assertThat(v.all()).extracting(Config.Value::text, Config.Value::line)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("joe 12charsecret", 2),
            org.assertj.core.groups.Tuple.tuple("ann 12charsecre2", 3));
    assertThatThrownBy(() -> v.once("karst.conf", "IncomingUser"))
        .hasMessage("karst.conf:3: attribute IncomingUser is already set on line 2");
    assertThatThrownBy(() -> parse("TARGET_DRIVER i {\n enabled 1\n enabled 0\n}\n"))
        .hasMessage("karst.conf:3: attribute enabled is already set on line 2");
  }
}
