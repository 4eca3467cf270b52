package io.karst.core.internal;

import static io.karst.core.internal.TestBed.cdb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.karst.api.local.LocalResult;
import io.karst.api.local.LocalSession;
import io.karst.api.mgmt.Management.ApplyReport;
import io.karst.api.mgmt.Management.AttributeInfo;
import io.karst.api.mgmt.Management.CommandInfo;
import io.karst.api.mgmt.Management.ObjectInfo;
import io.karst.api.mgmt.ManagementException;
import io.karst.api.scsi.SenseKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The management tree and configuration changes applied as differences. */
class ManagementTest {

  @TempDir
  Path dir;

  private static String inquiryVendor(LocalSession s, long lun) throws Exception {
    LocalResult r = TestBed.send(s, lun, cdb(0x12, 0, 0, 0, 36, 0), null, 36);
    return new String(r.dataIn(), 8, 8, StandardCharsets.US_ASCII).trim();
  }

  private static List<Long> reportLuns(LocalSession s) throws Exception {
    LocalResult r = TestBed.send(s, 0, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), null, 256);
    ByteBuffer b = ByteBuffer.wrap(r.dataIn());
    int length = b.getInt();
    b.getInt();
    List<Long> luns = new ArrayList<>();
    for (int i = 0; i < length / 8; i++) {
      luns.add(b.getLong() >>> 48 & 0x3FFF);
    }
    return luns;
  }

  /** The unit attentions a LUN of a nexus reports to TEST UNIT READY, in order. */
  private static List<String> attentions(LocalSession s, long lun) throws Exception {
    List<String> out = new ArrayList<>();
    LocalResult r;
    while (!(r = TestBed.send(s, lun, cdb(0, 0, 0, 0, 0, 0), null, 0)).good()
        && r.sense().key() == SenseKey.UNIT_ATTENTION) {
      out.add(String.format("%02X/%02X", r.sense().asc(), r.sense().ascq()));
    }
    return out;
  }

  private static long capacity(LocalSession s, long lun) throws Exception {
    LocalResult r = TestBed.send(s, lun, cdb(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0), null, 8);
    return (ByteBuffer.wrap(r.dataIn()).getInt() & 0xFFFFFFFFL) + 1;
  }

  @Test
  void anUnchangedDeviceKeepsItsObjectAndAChangedIdentityIsSetInPlace() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      Device disk0 = bed.engine.deviceMap().get("disk0");
      Device disk1 = bed.engine.deviceMap().get("disk1");
      var backend0 = disk0.backend();
      var backend1 = disk1.backend();
      String text = TestBed.CONFIG.replace("t10_prod_id second",
          "t10_prod_id second\n        t10_vend_id ACME");
      ApplyReport r = bed.engine.apply(text, "new.conf", false, false);
      assertThat(r.applied()).isTrue();
      assertThat(r.plan()).containsExactly("set device disk1 t10_vend_id ACME");
      assertThat(r.notApplied()).isEmpty();
      assertThat(bed.engine.deviceMap().get("disk0")).isSameAs(disk0);
      assertThat(disk0.backend()).isSameAs(backend0);
      assertThat(bed.engine.deviceMap().get("disk1")).isSameAs(disk1);
      assertThat(disk1.backend()).as("not reopened").isSameAs(backend1);
      assertThat(bed.handler.closed).hasValue(0);
      assertThat(inquiryVendor(bed.session, 3)).isEqualTo("ACME");
      assertThat(inquiryVendor(bed.session, 0)).isEqualTo("KARST");
      assertThat(attentions(bed.session, 3)).as("INQUIRY DATA HAS CHANGED")
          .containsExactly("3F/03");
      assertThat(attentions(bed.session, 0)).isEmpty();
      assertThat(bed.engine.sessions()).hasSize(1);
    }
  }

  @Test
  void aWritableHandlerAttributeIsSetThroughTheBackend() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      var backend = bed.engine.deviceMap().get("disk0").backend();
      assertThat(capacity(bed.session, 0)).isEqualTo(2048);
      bed.engine.set("/devices/disk0", "size", "2M");
      assertThat(bed.engine.deviceMap().get("disk0").backend()).isSameAs(backend);
      assertThat(attentions(bed.session, 0)).as("CAPACITY DATA HAS CHANGED")
          .containsExactly("2A/09");
      assertThat(capacity(bed.session, 0)).isEqualTo(4096);
      assertThat(bed.engine.object("/devices/disk0").attributes())
          .filteredOn(a -> a.name().equals("size")).singleElement()
          .satisfies(a -> {
            assertThat(a.value()).isEqualTo("2097152");
            assertThat(a.key()).isTrue();
            assertThat(a.writable()).isTrue();
          });
      assertThat(bed.engine.write(false)).contains("size 2097152");
    }
  }

  @Test
  void aCreateTimeChangeNeedsForceAndThenReopensTheDevice() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      Device disk0 = bed.engine.deviceMap().get("disk0");
      String text = TestBed.CONFIG.replaceFirst("size 1M", "size 1M\n        blocksize 4096");
      ApplyReport r = bed.engine.apply(text, "new.conf", false, false);
      assertThat(r.notApplied()).singleElement().asString()
          .contains("device disk0: blocksize").contains("force");
      assertThat(bed.handler.closed).hasValue(0);
      assertThat(bed.engine.write(false)).doesNotContain("blocksize 4096\n\t}\n\tDEVICE disk1");

      r = bed.engine.apply(text, "new.conf", true, false);
      assertThat(r.plan()).containsExactly("reopen device disk0: blocksize changed");
      attentions(bed.session, 0);
      assertThat(bed.handler.closed).hasValue(1);
      assertThat(bed.engine.deviceMap().get("disk0")).isSameAs(disk0);
      assertThat(capacity(bed.session, 0)).isEqualTo(256);
    }
  }

  @Test
  void whatAFileLeavesOutIsRemovedOnlyWithForce() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      String text = """
          HANDLER memory {
              DEVICE disk0 {
                  size 1M
              }
          }
          TARGET_DRIVER local {
              enabled 1
              TARGET t1 {
                  enabled 1
                  LUN 0 disk0
              }
          }
          """;
      ApplyReport r = bed.engine.apply(text, "small.conf", false, false);
      assertThat(r.plan()).isEmpty();
      assertThat(r.notApplied()).anySatisfy(n -> assertThat(n).startsWith("device disk1 is not "
          + "in small.conf; kept")).anySatisfy(n -> assertThat(n).startsWith("target local/off"));
      assertThat(bed.engine.deviceMap()).containsKeys("disk0", "disk1");

      r = bed.engine.apply(text, "small.conf", true, false);
      assertThat(r.plan()).containsExactly("remove group special of target local/t1",
          "remove LUN 3 from target local/t1", "remove target local/off (its sessions are asked "
          + "to close)", "remove device disk1");
      assertThat(bed.engine.deviceMap()).containsOnlyKeys("disk0");
      assertThat(bed.handler.closed).hasValue(1);
      assertThat(reportLuns(bed.session)).containsExactly(0L);
    }
  }

  @Test
  void aDryRunChangesNothing() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      String before = bed.engine.write(true);
      ApplyReport r = bed.engine.apply(TestBed.CONFIG.replace("LUN 3 disk1", "LUN 4 disk1"),
          "new.conf", false, true);
      assertThat(r.applied()).isFalse();
      assertThat(r.plan()).containsExactly("add LUN 4 disk1 read_only to target local/t1");
      assertThat(r.notApplied()).containsExactly("LUN 3 of target local/t1 is not in new.conf; "
          + "kept (apply with force to remove it)");
      assertThat(bed.engine.write(true)).isEqualTo(before);
      assertThat(reportLuns(bed.session)).containsExactly(0L, 3L);
    }
  }

  @Test
  void aRejectedChangeLeavesEverythingAsItWas() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      String before = bed.engine.write(true);
      assertThatThrownBy(() -> bed.engine.apply(TestBed.CONFIG.replace("LUN 0 disk0",
          "LUN 0 disk0\n        LUN 1 nodisk"), "bad.conf", true, false))
          .isInstanceOf(ManagementException.class)
          .hasMessage("bad.conf:16: LUN 1 refers to unknown device nodisk");
      assertThatThrownBy(() -> bed.engine.apply(TestBed.CONFIG.replace("size 64K",
          "size big"), "bad.conf", true, false))
          .hasMessageStartingWith("bad.conf:6: size: 'big' is not a size");
      assertThatThrownBy(() -> bed.engine.execute("/targets/local/t1/luns", "add 0 disk1"))
          .hasMessageContaining("has LUN 0 already; replace 0 disk1");
      assertThatThrownBy(() -> bed.engine.set("/devices/disk1", "blocksize", "512"))
          .hasMessageContaining("not writable");
      assertThat(bed.engine.write(true)).isEqualTo(before);
    }
  }

  @Test
  void theTreeListsAttributesCommandsAndChildren() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      var m = bed.engine;
      assertThat(m.object("/").children())
          .containsExactly("handlers", "devices", "targets", "device_groups");
      assertThat(m.object("/handlers").children()).containsExactly("memory");
      ObjectInfo handler = m.object("/handlers/memory");
      assertThat(handler.kind()).isEqualTo("handler");
      assertThat(handler.commands()).extracting(CommandInfo::usage)
          .containsExactly("add_device NAME [attribute=value; ...]", "del_device NAME");
      assertThat(handler.children()).containsExactly("disk0", "disk1");
      ObjectInfo disk1 = m.object("/handlers/memory/disk1");
      assertThat(disk1.attributes()).extracting(AttributeInfo::name)
          .startsWith("t10_vend_id").contains("size", "blocksize", "naa_id");
      assertThat(disk1.attributes()).filteredOn(AttributeInfo::key)
          .extracting(a -> a.name() + "=" + a.value())
          .containsExactly("t10_prod_id=second", "size=65536", "blocksize=4096");
      assertThat(disk1.commands()).extracting(CommandInfo::name).containsExactly("resync_size");
      assertThat(m.object("/devices").children()).containsExactly("disk0", "disk1");
      assertThat(m.object("/targets/local").attributes()).extracting(AttributeInfo::name)
          .startsWith("enabled");
      assertThat(m.object("/targets/local").children()).containsExactly("t1", "off");
      assertThat(m.object("/targets/local/t1").children())
          .containsExactly("luns", "ini_groups", "sessions");
      assertThat(m.object("/targets/local/t1").attributes())
          .filteredOn(a -> a.name().equals("rel_tgt_id")).singleElement()
          .satisfies(a -> assertThat(a.value()).isEqualTo("1"));
      assertThat(m.object("/targets/local/t1/luns").children()).containsExactly("0", "3");
      assertThat(m.object("/targets/local/t1/luns/3").attributes())
          .extracting(a -> a.name() + "=" + a.value())
          .containsExactly("device=disk1", "read_only=1");
      assertThat(m.object("/targets/local/t1/ini_groups").children()).containsExactly("special");
      assertThat(m.object("/targets/local/t1/ini_groups/special/initiators").children())
          .containsExactly("iqn.special:*");
      assertThat(m.object("/targets/local/t1/sessions").children())
          .containsExactly("iqn.test:host");
      assertThat(m.object("/targets/local/t1/sessions/iqn.test:host").commands())
          .extracting(CommandInfo::name).containsExactly("close");
      assertThatThrownBy(() -> m.object("/targets/local/t9"))
          .hasMessage("no target of driver local t9 at /targets/local/t9; there is t1, off");
      assertThatThrownBy(() -> m.object("/devices/disk0/x"))
          .hasMessage("nothing at /devices/disk0/x; /devices/disk0 lists what is there");
    }
  }

  @Test
  void devicesAndTargetsAreAddedAndRemovedByCommand() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      var m = bed.engine;
      assertThat(m.execute("/handlers/memory", "add_device disk2 size=128K; t10_vend_id=NEW"))
          .isEqualTo("device disk2 added to handler memory");
      assertThat(m.devices()).extracting(d -> d.name() + ":" + d.state() + ":" + d.blockCount())
          .contains("disk2:ONLINE:256");
      assertThatThrownBy(() -> m.execute("/handlers/memory", "add_device disk3 size"))
          .hasMessage("add_device: 'size' is not attribute=value; type: add_device NAME "
              + "[attribute=value; ...]");
      assertThatThrownBy(() -> m.execute("/handlers/memory", "add_device disk3 colour=red"))
          .hasMessageContaining("has no attribute colour");
      assertThat(m.execute("/targets/local", "add_target t2 enabled=on"))
          .isEqualTo("target t2 added to driver local");
      m.execute("/targets/local/t2/luns", "add 0 disk2");
      LocalSession s2 = bed.driver.login("t2", "iqn.test:other");
      assertThat(inquiryVendor(s2, 0)).isEqualTo("NEW");
      assertThat(m.execute("/handlers/memory", "del_device disk2"))
          .isEqualTo("device disk2 removed, with LUN 0 of t2");
      assertThat(reportLuns(s2)).isEmpty();
      m.execute("/targets/local", "del_target t2");
      assertThat(m.targets()).extracting(t -> t.name()).containsExactly("t1", "off");
      assertThat(bed.driver.login("t1", "iqn.test:third")).isNotNull();
    }
  }

  @Test
  void lunCommandsChangeALiveSessionsLuns() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      var m = bed.engine;
      m.execute("/targets/local/t1/luns", "add 5 disk1 read_only=1");
      assertThat(reportLuns(bed.session)).containsExactly(0L, 3L, 5L);
      assertThat(m.object("/targets/local/t1/luns/5").attributes())
          .extracting(AttributeInfo::value).containsExactly("disk1", "1");
      m.execute("/targets/local/t1/luns", "replace 0 disk1");
      assertThat(attentions(bed.session, 0)).as("REPORTED LUNS DATA HAS CHANGED")
          .containsExactly("3F/0E");
      assertThat(attentions(bed.session, 5)).as("cleared on every LUN of the nexus only by "
          + "REPORT LUNS").containsExactly("3F/0E");
      assertThat(capacity(bed.session, 0)).isEqualTo(16);
      m.execute("/targets/local/t1/luns", "del 3");
      assertThat(reportLuns(bed.session)).containsExactly(0L, 5L);
      assertThatThrownBy(() -> m.execute("/targets/local/t1/luns", "del 3"))
          .hasMessage("target t1 has no LUN 3");
      assertThatThrownBy(() -> m.execute("/targets/local/t1/luns", "add x disk1"))
          .hasMessage("add: LUN 'x' is not a number from 0 to 16383; type: add LUN DEVICE "
              + "[read_only=1]");
      m.execute("/targets/local/t1/luns", "clear");
      assertThat(reportLuns(bed.session)).isEmpty();
      assertThat(bed.engine.sessions()).hasSize(1);
    }
  }

  @Test
  void aSessionMovesToTheGroupItsInitiatorMatchesNow() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      var m = bed.engine;
      String groups = "/targets/local/t1/ini_groups";
      m.execute(groups, "create hosts");
      m.execute(groups + "/hosts/luns", "add 7 disk0");
      assertThat(m.execute(groups + "/hosts/initiators", "add iqn.test:*"))
          .isEqualTo("initiator iqn.test:* added to group hosts");
      assertThat(reportLuns(bed.session)).as("same session, now in hosts").containsExactly(7L);
      m.execute(groups + "/hosts/initiators", "move iqn.test:* special");
      assertThat(attentions(bed.session, 0)).containsExactly("3F/0E");
      assertThat(reportLuns(bed.session)).containsExactly(0L);
      assertThat(capacity(bed.session, 0)).as("special's LUN 0 is disk1").isEqualTo(16);
      assertThatThrownBy(() -> m.execute(groups + "/hosts/initiators", "add iqn.test:*"))
          .hasMessageContaining("is in group special of target t1 already");
      m.execute(groups + "/special/initiators", "clear");
      assertThat(reportLuns(bed.session)).containsExactly(0L, 3L);
      m.execute(groups, "del hosts");
      assertThat(m.object(groups).children()).containsExactly("special");
      assertThat(bed.engine.sessions()).hasSize(1);
    }
  }

  @Test
  void deviceGroupCommandsBuildAluaGroups() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      var m = bed.engine;
      m.execute("/device_groups", "create dg");
      m.execute("/device_groups/dg/devices", "add disk0");
      assertThat(m.execute("/device_groups/dg/target_groups", "add local"))
          .isEqualTo("target group local (group_id 1) added to device group dg");
      m.execute("/device_groups/dg/target_groups/local", "add t1");
      m.set("/device_groups/dg/target_groups/local", "state", "standby");
      assertThat(m.deviceGroups()).singleElement().satisfies(g -> {
        assertThat(g.devices()).containsExactly("disk0");
        assertThat(g.targetGroups()).singleElement().satisfies(t -> {
          assertThat(t.state()).isEqualTo("standby");
          assertThat(t.targets()).extracting(p -> p.target() + "/" + p.relativeTargetPortId())
              .containsExactly("t1/1");
        });
      });
      assertThat(attentions(bed.session, 0)).as("ASYMMETRIC ACCESS STATE CHANGED, once")
          .containsExactly("2A/06");
      LocalResult read = TestBed.send(bed.session, 0, TestBed.read10(0, 1), null, 512);
      assertThat(read.sense().asc()).as("standby refuses reads").isEqualTo(0x04);
      m.execute("/device_groups/dg/target_groups/local", "del t1");
      m.execute("/device_groups/dg/target_groups", "del local");
      m.execute("/device_groups/dg/devices", "del disk0");
      m.execute("/device_groups", "del dg");
      assertThat(m.deviceGroups()).isEmpty();
      attentions(bed.session, 0);
      assertThat(TestBed.send(bed.session, 0, TestBed.read10(0, 1), null, 512).good()).isTrue();
    }
  }

  @Test
  void targetsAndDriversAreEnabledAndDisabledAndSessionsClosed() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      var m = bed.engine;
      m.set("/targets/local/off", "enabled", "yes");
      LocalSession s = bed.driver.login("off", "iqn.test:x");
      assertThat(m.sessions()).hasSize(2);
      m.set("/targets/local/off", "enabled", "0");
      assertThat(m.sessions()).as("disabling asks its sessions to close").hasSize(1);
      assertThatThrownBy(() -> bed.driver.login("off", "iqn.test:x"))
          .hasMessageContaining("disabled");
      assertThat(m.execute("/targets/local/t1/sessions/iqn.test:host", "close"))
          .isEqualTo("session iqn.test:host of target t1 asked to close");
      assertThat(m.sessions()).isEmpty();
      m.set("/targets/local", "enabled", "0");
      assertThat(m.drivers()).singleElement().satisfies(d -> assertThat(d.started()).isFalse());
      m.set("/targets/local", "enabled", "1");
      assertThat(m.drivers()).singleElement().satisfies(d -> assertThat(d.started()).isTrue());
      assertThat(bed.driver.login("t1", "iqn.test:y")).isNotNull();
      s.close();
    }
  }

  @Test
  void resyncSizeReadsTheSizeAgain() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      bed.handler.media.put("disk0", new byte[4 << 20]);
      assertThat(capacity(bed.session, 0)).as("the open backend has the old size").isEqualTo(2048);
      assertThat(bed.engine.execute("/devices/disk0", "resync_size"))
          .isEqualTo("device disk0: 2048 -> 8192 blocks; initiators are told CAPACITY DATA HAS "
              + "CHANGED");
      assertThat(attentions(bed.session, 0)).containsExactly("2A/09");
      assertThat(capacity(bed.session, 0)).isEqualTo(8192);
      assertThatThrownBy(() -> bed.engine.execute("/devices/disk0", "resync_size now"))
          .hasMessage("resync_size: it takes no arguments; type: resync_size");
      assertThatThrownBy(() -> bed.engine.execute("/devices/disk0", "grow"))
          .hasMessage("'grow' is not a command of /devices/disk0; it accepts: resync_size");
    }
  }

  @Test
  void aWritableAttributeWithoutDefaultTakenOutIsSetInPlaceToNone() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      String labelled = TestBed.CONFIG.replace("size 1M", "size 1M\n        label blue");
      assertThat(bed.engine.apply(labelled, "new.conf", false, false).notApplied()).isEmpty();
      assertThat(bed.engine.apply(TestBed.CONFIG, "new.conf", false, false).notApplied())
          .isEmpty();
      assertThat(bed.handler.labels).containsExactly("disk0 blue", "disk0 null");
      assertThat(bed.engine.deviceMap().get("disk0").handlerAttributes())
          .doesNotContainKey("label");
    }
  }

  @Test
  void aReopenedDeviceTakesItsWritableAttributesWithTheOthers() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      String text = TestBed.CONFIG.replaceFirst("size 1M", "size 1M\n        thin 1\n"
          + "        label blue");
      ApplyReport r = bed.engine.apply(text, "new.conf", true, false);
      assertThat(r.plan()).containsExactly("reopen device disk0: thin changed");
      assertThat(r.notApplied()).isEmpty();
      assertThat(bed.handler.closed).hasValue(1);
      assertThat(bed.handler.labels).as("nothing set on the backend being closed").isEmpty();
      assertThat(bed.handler.configs.get("disk0").attribute("label")).isEqualTo("blue");
    }
  }

  @Test
  void resyncSizeInPlaceKeepsTheDeviceOpen() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      bed.handler.resyncInPlace = true;
      bed.handler.media.put("disk0", new byte[3 << 20]);
      int closed = bed.handler.closed.get();
      assertThat(bed.engine.execute("/devices/disk0", "resync_size"))
          .isEqualTo("device disk0: 2048 -> 6144 blocks; initiators are told CAPACITY DATA HAS "
              + "CHANGED");
      assertThat(bed.handler.closed).as("not reopened").hasValue(closed);
      assertThat(attentions(bed.session, 0)).containsExactly("2A/09");
      assertThat(capacity(bed.session, 0)).isEqualTo(6144);
      assertThat(bed.engine.execute("/devices/disk0", "resync_size"))
          .isEqualTo("device disk0: size unchanged, 6144 blocks");
      bed.handler.media.put("disk0", new byte[0]);
      assertThatThrownBy(() -> bed.engine.execute("/devices/disk0", "resync_size"))
          .hasMessage("device disk0: its size was not read again: the medium is empty");
      assertThat(capacity(bed.session, 0)).isEqualTo(6144);
      assertThat(attentions(bed.session, 0)).isEmpty();
    }
  }

  @Test
  void writeThenApplyToAnEmptyEngineGivesTheSameText() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      assertThatThrownBy(() -> bed.engine.execute("/handlers/memory", "add_device a\"b"))
          .hasMessage("add_device: the name a\"b has a character that a name cannot have "
              + "(blanks, / \" { } # \\ ;); type: add_device NAME [attribute=value; ...]");
      bed.engine.execute("/handlers/memory", "add_device odd t10_prod_id=a b#c");
      for (boolean all : new boolean[] {false, true}) {
        String written = bed.engine.write(all);
        try (TestBed other = new TestBed(dir.resolve(all ? "all" : "key"), written)) {
          assertThat(other.engine.write(all)).isEqualTo(written);
        }
      }
      assertThat(bed.engine.write(false)).contains("t10_prod_id \"a b\\#c\"")
          .doesNotContain("t10_vend_id");
      assertThat(bed.engine.write(true)).contains("t10_vend_id KARST");
    }
  }

  @Test
  void partsForAHandlerOrDriverThatIsNotThereAreKeptAndAppliedWhenItArrives() throws Exception {
    try (Engine engine = new Engine(dir)) {
      ApplyReport r = engine.apply(TestBed.CONFIG, "later.conf", false, false);
      assertThat(r.plan()).contains("add device disk0 (handler memory, not registered: opens "
          + "when it registers)", "enable driver local (starts when it registers)");
      assertThat(r.notApplied()).containsExactly("HANDLER memory is not registered: its devices "
          + "are kept and open when it registers", "TARGET_DRIVER local is not registered: its "
          + "part is kept and applied when it registers");
      MemoryHandler handler = new MemoryHandler();
      var driver = new io.karst.local.internal.LocalTargetDriver();
      engine.addHandler(handler);
      engine.addDriver(driver);
      engine.settle();
      assertThat(engine.devices()).allSatisfy(d -> assertThat(d.state().name())
          .isEqualTo("ONLINE"));
      try (LocalSession s = driver.login("t1", "iqn.test:late")) {
        assertThat(reportLuns(s)).containsExactly(0L, 3L);
      }
    }
  }

  /**
   * A driver that is not registered has no descriptors to check its attributes with, but
   * {@code enabled} is core's: a value that is no boolean is refused naming it, not stored.
   */
  @Test
  void enabledOfADriverThatIsNotRegisteredIsStillABoolean() throws Exception {
    try (Engine engine = new Engine(dir)) {
      engine.apply("TARGET_DRIVER absent {\n TARGET t {\n  portal_group 3\n }\n}\n",
          "later.conf", false, false);
      for (String path : new String[] {"/targets/absent", "/targets/absent/t"}) {
        assertThatThrownBy(() -> engine.set(path, "enabled", "maybe"))
            .isInstanceOf(ManagementException.class)
            .hasMessageContaining("enabled: 'maybe' is not 0 or 1");
        engine.set(path, "enabled", "yes");
        assertThat(engine.object(path).attributes())
            .filteredOn(a -> a.name().equals("enabled")).extracting(AttributeInfo::value)
            .containsExactly("1");
      }
      assertThat(engine.write(false)).contains("TARGET_DRIVER absent {\n\tenabled 1")
          .contains("portal_group 3").doesNotContain("maybe");
    }
  }

  @Test
  void checkReportsWithoutApplying() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      String before = bed.engine.write(true);
      List<String> warnings = bed.engine.check("setup_id 0x1234\n" + TestBed.CONFIG
          + "HANDLER vdisk_fileio {\n DEVICE f {\n  filename /f\n }\n}\n", "x.conf");
      assertThat(warnings).contains("x.conf:1: attribute setup_id of SCST's core has no meaning"
          + " in Karst; ignored");
      assertThat(bed.engine.write(true)).isEqualTo(before);
      assertThatThrownBy(() -> bed.engine.check("HANDLER memory {\n DEVICE d {\n", "y.conf"))
          .hasMessage("y.conf:2: DEVICE d is not closed: a '}' is missing");
    }
  }

}
