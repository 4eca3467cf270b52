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
  void errorsNameTheLine() {
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
    assertThatThrownBy(() -> parse("TARGET_DRIVER i {\n TARGET t {\n  GROUP g {\n"
        + "   addr_method FLAT\n  }\n }\n}\n"))
        .hasMessage("karst.conf:4: attribute addr_method is not allowed in GROUP g");
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

  @Test
  void aluaGroupsAreReadAndReported() throws Exception {
    ConfigParser p = new ConfigParser("karst.conf");
    p.parse("DEVICE_GROUP dg {\n}\n");
    assertThat(p.warnings()).singleElement().asString().startsWith("karst.conf:1: DEVICE_GROUP");
  }
}
