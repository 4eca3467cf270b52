package io.karst.core.internal;

import static io.karst.core.internal.TestBed.assertSense;
import static io.karst.core.internal.TestBed.cdb;
import static io.karst.core.internal.TestBed.read10;
import static io.karst.core.internal.TestBed.write10;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;
import io.karst.api.mgmt.Management.DeviceState;
import io.karst.api.mgmt.ManagementException;
import io.karst.api.scsi.Sense;
import io.karst.api.target.SessionException;
import io.karst.api.target.TargetDriver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineTest {

  @TempDir
  Path dir;

  @Test
  void devicesGoOfflineWhenTheirHandlerLeavesAndComeBackIntact() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      byte[] data = new byte[512];
      Arrays.fill(data, (byte) 0x5A);
      assertThat(bed.send(0, write10(8, 1), data, 0).good()).isTrue();

      bed.engine.removeHandler(bed.handler);
      assertThat(bed.handler.closed).hasValue(2);
      assertThat(bed.engine.devices()).allSatisfy(d -> {
        assertThat(d.state()).isEqualTo(DeviceState.OFFLINE);
        assertThat(d.stateDetail()).contains("memory");
      });
      assertSense(bed.send(0, read10(8, 1), null, 512),
          Sense.LOGICAL_UNIT_NOT_READY_MANUAL_INTERVENTION);
      assertSense(bed.send(0, cdb(0, 0, 0, 0, 0, 0), null, 0),
          Sense.LOGICAL_UNIT_NOT_READY_MANUAL_INTERVENTION);
      assertThat(bed.send(0, cdb(0x12, 0, 0, 0, 36, 0), null, 36).good()).isTrue();
      assertThat(bed.engine.sessions()).hasSize(1);

      bed.engine.addHandler(bed.handler);
      bed.engine.settle();
      assertThat(bed.engine.devices()).allSatisfy(
          d -> assertThat(d.state()).isEqualTo(DeviceState.ONLINE));
      assertThat(bed.send(0, read10(8, 1), null, 512).dataIn()).isEqualTo(data);
    }
  }

  @Test
  void managementDescribesTheSystem() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      assertThat(bed.engine.handlers()).singleElement().satisfies(h -> {
        assertThat(h.name()).isEqualTo("memory");
        assertThat(h.registered()).isTrue();
        assertThat(h.deviceAttributes()).extracting(AttributeDescriptor::name)
            .contains("t10_vend_id", "naa_id", "size");
      });
      assertThat(bed.engine.devices()).extracting(d -> d.name() + ":" + d.blockCount())
          .containsExactly("disk0:2048", "disk1:16");
      assertThat(bed.engine.devices().get(1).attributes())
          .containsEntry("size", "65536").containsEntry("t10_prod_id", "second");
      assertThat(bed.engine.drivers()).singleElement()
          .satisfies(d -> assertThat(d.started()).isTrue());
      assertThat(bed.engine.targets()).extracting(t -> t.name() + ":" + t.luns().size())
          .containsExactly("t1:2", "off:1");
      bed.send(0, cdb(0, 0, 0, 0, 0, 0), null, 0);
      assertThat(bed.engine.sessions()).singleElement().satisfies(s -> {
        assertThat(s.initiator()).isEqualTo("iqn.test:host");
        assertThat(s.commands()).isEqualTo(1);
      });
      bed.session.close();
      assertThat(bed.engine.sessions()).isEmpty();
    }
  }

  @Test
  void sessionsNeedAnEnabledTargetThatAdmitsTheInitiator() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      assertThatThrownBy(() -> bed.driver.login("off", "iqn.x:y"))
          .isInstanceOfSatisfying(SessionException.class,
              e -> assertThat(e.reason()).isEqualTo(SessionException.Reason.TARGET_DISABLED));
      assertThatThrownBy(() -> bed.driver.login("nope", "iqn.x:y"))
          .isInstanceOfSatisfying(SessionException.class,
              e -> assertThat(e.reason()).isEqualTo(SessionException.Reason.TARGET_NOT_FOUND));
      var second = bed.driver.login("t1", "iqn.test:host");
      assertThat(bed.engine.sessions()).hasSize(2);
      second.close();
    }
  }

  @Test
  void anUnknownDeviceAttributeOfARegisteredHandlerIsRefusedWithTheLine() {
    String config = TestBed.CONFIG.replace("size 1M", "size 1M\n        colour blue");
    assertThatThrownBy(() -> new TestBed(dir, config).close())
        .hasMessageStartingWith("test.conf:4: ").hasMessageContaining("has no attribute colour");
  }

  @Test
  void anUnknownDeviceAttributeKeepsTheDeviceOfflineWithTheLine() throws Exception {
    String config = TestBed.CONFIG.replace("size 1M", "size 1M\n        colour blue");
    try (TestBed bed = new TestBed(dir, config, false)) {
      assertThat(bed.engine.devices().get(0).state()).isEqualTo(DeviceState.OFFLINE);
      assertThat(bed.engine.devices().get(0).stateDetail())
          .startsWith("test.conf:4: ").contains("has no attribute colour");
      assertSense(bed.send(0, read10(0, 1), null, 512),
          Sense.LOGICAL_UNIT_NOT_READY_MANUAL_INTERVENTION);
    }
  }

  @Test
  void aDriverThatFailsToStartLeavesTheEngineServing() throws Exception {
    TargetDriver broken = new ProbeDriver("broken", c -> {
      throw new java.io.IOException("address in use");
    });
    String config = TestBed.CONFIG + "TARGET_DRIVER broken {\n enabled 1\n}\n";
    try (TestBed bed = new TestBed(dir, config)) {
      bed.engine.addDriver(broken);
      bed.engine.settle();
      assertThat(bed.engine.drivers()).filteredOn(d -> d.name().equals("broken"))
          .singleElement().satisfies(d -> {
            assertThat(d.registered()).isTrue();
            assertThat(d.started()).isFalse();
          });
      assertThat(bed.send(0, cdb(0, 0, 0, 0, 0, 0), null, 0).good()).isTrue();
    }
  }

  @Test
  void removingADriverClosesItsSessions() throws Exception {
    try (TestBed bed = new TestBed(dir)) {
      bed.engine.removeDriver(bed.driver);
      assertThat(bed.engine.sessions()).isEmpty();
      assertThatThrownBy(() -> bed.driver.login("t1", "iqn.test:host"))
          .isInstanceOf(SessionException.class);
      bed.engine.addDriver(bed.driver);
      bed.engine.settle();
      bed.driver.login("t1", "iqn.test:host").close();
    }
  }

  @Test
  void badCoreAttributesNameTheirLine() {
    String config = TestBed.CONFIG.replace("t10_prod_id second", "threads_num many");
    assertThatThrownBy(() -> new TestBed(dir, config)).isInstanceOf(ConfigException.class)
        .hasMessage("test.conf:8: threads_num: 'many' is not an integer");
  }

  @Test
  void multiValuedAttributesKeepTheirValuesInOrderAndListingsRedactSecrets() throws Exception {
    AttributeDescriptor users = AttributeDescriptor.builder("IncomingUser", AttributeType.STRING)
        .multiValued().secret().build();
    AttributeDescriptor port = AttributeDescriptor.builder("port", AttributeType.INTEGER)
        .defaultValue("1").build();
    ProbeDriver probe = new ProbeDriver("probe");
    probe.attributes = List.of(users, port);
    probe.targetAttributes = List.of(users);
    String config = TestBed.CONFIG + """
        TARGET_DRIVER probe {
            enabled 1
            IncomingUser "joe secretsecret1"
            port 7
            IncomingUser "ann secretsecret2"
            TARGET t {
                IncomingUser "bob secretsecret3"
            }
        }
        """;
    try (TestBed bed = new TestBed(dir, config)) {
      assertThat(bed.engine.drivers()).filteredOn(d -> d.name().equals("probe")).singleElement()
          .satisfies(d -> assertThat(d.attributes()).as("unregistered: nothing can be told safe")
              .containsEntry("IncomingUser", AttributeDescriptor.REDACTED)
              .containsEntry("port", AttributeDescriptor.REDACTED));
      bed.engine.addDriver(probe);
      bed.engine.settle();
      assertThat(AttributeDescriptor.values(probe.context.attributes().get("IncomingUser")))
          .containsExactly("joe secretsecret1", "ann secretsecret2");
      assertThat(probe.context.target("t").orElseThrow().attributes())
          .containsEntry("IncomingUser", "bob secretsecret3");
      assertThat(bed.engine.drivers()).filteredOn(d -> d.name().equals("probe")).singleElement()
          .satisfies(d -> assertThat(d.attributes()).containsEntry("port", "7")
              .containsEntry("IncomingUser", "joe ***\nann ***"));
      assertThat(bed.engine.targets()).filteredOn(t -> t.name().equals("t")).singleElement()
          .satisfies(t -> assertThat(t.attributes()).containsEntry("IncomingUser", "bob ***"));
    }
  }

  @Test
  void aSingleValuedAttributeWrittenTwiceKeepsTheDriverStopped() throws Exception {
    ProbeDriver probe = portProbe();
    String config = TestBed.CONFIG + "TARGET_DRIVER probe {\n enabled 1\n port 1\n port 2\n}\n";
    try (TestBed bed = new TestBed(dir, config)) {
      bed.engine.addDriver(probe);
      bed.engine.settle();
      assertThat(probe.context).isNull();
    }
  }

  @Test
  void aRunningDriverIsRestartedForChangedAttributesOnlyWithForce() throws Exception {
    ProbeDriver probe = portProbe();
    String config = TestBed.CONFIG + "TARGET_DRIVER probe {\n enabled 1\n port 7\n}\n";
    try (TestBed bed = new TestBed(dir, config)) {
      bed.engine.addDriver(probe);
      bed.engine.settle();
      var started = probe.context;
      assertThat(started.attributes()).containsEntry("port", "7");

      // A file that leaves the port out means the default, but restarting the driver would
      // end every session: without force it is reported, and the driver runs on as it was.
      String omitted = TestBed.CONFIG + "TARGET_DRIVER probe {\n enabled 1\n}\n";
      var report = bed.engine.apply(omitted, "edit.conf", false, false);
      bed.engine.settle();
      assertThat(report.notApplied()).anyMatch(n -> n.startsWith("driver probe: its attributes "
          + "can only change by restarting it"));
      assertThat(probe.context).isSameAs(started);
      assertThat(bed.engine.write(false)).contains("port 7");

      bed.engine.apply(omitted, "edit.conf", true, false);
      bed.engine.settle();
      assertThat(probe.context).isNotSameAs(started);
      assertThat(probe.context.attributes()).containsEntry("port", "1");
    }
  }

  @Test
  void aRunningDriverRefusingATargetLeavesEverythingAsItWas() throws Exception {
    ProbeDriver probe = portProbe();
    probe.targetAttributes = List.of(AttributeDescriptor.builder("secret", AttributeType.STRING)
        .writable().build());
    probe.targetCheck = (name, a) -> {
      if (a.getOrDefault("secret", "").length() < 12) {
        throw new IllegalArgumentException("TARGET " + name + ": secret is too short");
      }
    };
    probe.attributesCheck = a -> {
      if (a.get("port").equals("9")) {
        throw new IllegalArgumentException("TARGET_DRIVER probe: port 9 is taken");
      }
    };
    String targets = "TARGET_DRIVER probe {\n enabled 1\n TARGET t {\n  secret longenough12\n }\n";
    String config = TestBed.CONFIG + targets + "}\n";
    try (TestBed bed = new TestBed(dir, config)) {
      bed.engine.addDriver(probe);
      bed.engine.settle();
      var started = probe.context;
      String running = bed.engine.write(false);
      int line = (int) (TestBed.CONFIG + targets).lines().count() + 4;

      String added = TestBed.CONFIG + targets + " TARGET v {\n  secret longenough34\n }\n"
          + " TARGET u {\n  secret short\n }\n}\n";
      assertThatThrownBy(() -> bed.engine.apply(added, "edit.conf", true, false))
          .isInstanceOf(ManagementException.class)
          .hasMessage("edit.conf:" + line + ": TARGET u: secret is too short");
      assertThatThrownBy(() -> bed.engine.set("/targets/probe/t", "secret", "short"))
          .isInstanceOf(ManagementException.class)
          .hasMessageEndingWith("TARGET t: secret is too short");
      assertThatThrownBy(() -> bed.engine.set("/targets/probe", "port", "9"))
          .isInstanceOf(ManagementException.class)
          .hasMessageEndingWith("TARGET_DRIVER probe: port 9 is taken");
      bed.engine.settle();
      assertThat(probe.context).isSameAs(started);
      assertThat(started.targets()).singleElement()
          .satisfies(t -> assertThat(t.attributes()).containsEntry("secret", "longenough12"));
      assertThat(bed.engine.write(false)).isEqualTo(running);

      bed.engine.set("/targets/probe/t", "secret", "longenough56");
      assertThat(started.target("t").orElseThrow().attributes())
          .containsEntry("secret", "longenough56");
    }
  }

  @Test
  void aRunningDriversWritableAttributesChangeInPlaceAndARefusalChangesNothing()
      throws Exception {
    ProbeDriver probe = portProbe();
    probe.attributes = List.of(probe.attributes.get(0),
        AttributeDescriptor.builder("listen", AttributeType.STRING).defaultValue("a").writable()
            .build(),
        AttributeDescriptor.builder("also", AttributeType.STRING).writable().build());
    List<String> calls = new ArrayList<>();
    probe.set = (attribute, value) -> {
      if ("taken".equals(value)) {
        throw new IllegalStateException("portal " + value + " is in use");
      }
      calls.add(attribute + "=" + value);
    };
    String config = TestBed.CONFIG + "TARGET_DRIVER probe {\n enabled 1\n port 7\n}\n";
    try (TestBed bed = new TestBed(dir, config)) {
      bed.engine.addDriver(probe);
      bed.engine.settle();
      var started = probe.context;

      bed.engine.set("/targets/probe", "listen", "b");
      assertThat(calls).containsExactly("listen=b");
      assertThat(probe.context).as("not restarted").isSameAs(started);
      assertThat(started.attributes()).containsEntry("listen", "b").containsEntry("port", "7");
      String running = bed.engine.write(false);
      assertThat(running).contains("listen b");

      // The driver refuses the second attribute: the first is set back, and nothing else of
      // the change (here a new target) is applied.
      calls.clear();
      String refused = TestBed.CONFIG + "TARGET_DRIVER probe {\n enabled 1\n port 7\n"
          + " listen c\n also taken\n TARGET t {\n }\n}\n";
      assertThatThrownBy(() -> bed.engine.apply(refused, "edit.conf", false, false))
          .isInstanceOf(ManagementException.class)
          .hasMessage("driver probe: also was not changed, nor anything else of this change: "
              + "portal taken is in use");
      assertThat(calls).containsExactly("listen=c", "listen=b");
      assertThat(started.attributes()).containsEntry("listen", "b").doesNotContainKey("also");
      assertThat(started.targets()).isEmpty();
      assertThat(bed.engine.write(false)).isEqualTo(running);

      // Without force, what only a restart changes is kept and reported; the rest is set.
      calls.clear();
      String mixed = TestBed.CONFIG + "TARGET_DRIVER probe {\n enabled 1\n port 8\n"
          + " listen d\n}\n";
      var report = bed.engine.apply(mixed, "edit.conf", false, false);
      assertThat(report.plan()).contains("set driver probe listen d");
      assertThat(report.notApplied()).containsExactly("driver probe: its attributes can only "
          + "change by restarting it, which ends all its sessions; apply with force to do so "
          + "(port)");
      assertThat(calls).containsExactly("listen=d");
      assertThat(probe.context).isSameAs(started);
      assertThat(started.attributes()).containsEntry("listen", "d").containsEntry("port", "7");

      // With force, the restart takes every attribute; nothing is set in place.
      calls.clear();
      bed.engine.apply(mixed.replace("listen d", "listen e"), "edit.conf", true, false);
      bed.engine.settle();
      assertThat(calls).isEmpty();
      assertThat(probe.context).isNotSameAs(started);
      assertThat(probe.context.attributes()).containsEntry("listen", "e")
          .containsEntry("port", "8");
    }
  }

  @Test
  void aDriverThatSetsNothingInPlaceRefusesAWritableAttributesChange() throws Exception {
    ProbeDriver probe = new ProbeDriver("probe");
    probe.attributes = List.of(AttributeDescriptor.builder("listen", AttributeType.STRING)
        .writable().build());
    String config = TestBed.CONFIG + "TARGET_DRIVER probe {\n enabled 1\n}\n";
    try (TestBed bed = new TestBed(dir, config)) {
      bed.engine.addDriver(probe);
      bed.engine.settle();
      assertThatThrownBy(() -> bed.engine.set("/targets/probe", "listen", "b"))
          .isInstanceOf(ManagementException.class)
          .hasMessage("driver probe: listen was not changed, nor anything else of this change: "
              + "attribute listen of driver probe cannot be changed while it runs");
      assertThat(probe.context.attributes()).doesNotContainKey("listen");
    }
  }

  /** A driver named probe with one attribute, an integer port whose default is 1. */
  private static ProbeDriver portProbe() {
    ProbeDriver probe = new ProbeDriver("probe");
    probe.attributes = List.of(AttributeDescriptor.builder("port", AttributeType.INTEGER)
        .defaultValue("1").build());
    return probe;
  }
}
