package io.karst.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.karst.api.mgmt.Management;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandsTest {

  private final Management management = new Management() {
    @Override
    public List<HandlerInfo> handlers() {
      return List.of(new HandlerInfo("vdisk_fileio", true, List.of()),
          new HandlerInfo("vdisk_nullio", false, List.of()));
    }

    @Override
    public List<DeviceInfo> devices() {
      return List.of(
          new DeviceInfo("disk0", "vdisk_fileio", DeviceState.ONLINE, "", 2097152, 512, Map.of()),
          new DeviceInfo("null0", "vdisk_nullio", DeviceState.OFFLINE,
              "handler vdisk_nullio is not registered", 0, 0, Map.of()));
    }

    @Override
    public List<DriverInfo> drivers() {
      return List.of(new DriverInfo("iscsi", true, true, true,
          Map.of("enabled", "1", "portals", "127.0.0.1:3260")));
    }

    @Override
    public List<TargetInfo> targets() {
      return List.of(new TargetInfo("iscsi", "iqn.2026-11.io.karst:default", true, Map.of(),
          List.of(new LunInfo(0, "disk0", false), new LunInfo(1, "null0", true))));
    }

    @Override
    public List<SessionInfo> sessions() {
      return List.of(new SessionInfo("iscsi", "iqn.2026-11.io.karst:default",
          "iqn.1993-08.org.debian:01:abc", 42));
    }
  };

  private String run(org.apache.karaf.shell.api.action.Action action) throws Exception {
    PrintStream before = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      action.execute();
    } finally {
      System.setOut(before);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void listsShowTheSystem() throws Exception {
    DeviceList devices = new DeviceList();
    devices.management = management;
    assertThat(run(devices)).contains("disk0", "ONLINE", "1.0 GiB", "OFFLINE",
        "handler vdisk_nullio is not registered");
    HandlerList handlers = new HandlerList();
    handlers.management = management;
    assertThat(run(handlers)).containsPattern("vdisk_nullio\\s*\\|\\s*no\\s*\\|\\s*1");
    DriverList drivers = new DriverList();
    drivers.management = management;
    assertThat(run(drivers)).contains("portals=127.0.0.1:3260").doesNotContain("enabled=");
    TargetList targets = new TargetList();
    targets.management = management;
    assertThat(run(targets)).containsPattern("default\\s*\\|\\s*yes\\s*\\|\\s*2\\s*\\|\\s*1");
    SessionList sessions = new SessionList();
    sessions.management = management;
    assertThat(run(sessions)).contains("iqn.1993-08.org.debian:01:abc", "42");
  }

  @Test
  void lunListFiltersByTargetAndNamesAMissingOne() throws Exception {
    LunList luns = new LunList();
    luns.management = management;
    luns.target = "iqn.2026-11.io.karst:default";
    assertThat(run(luns)).contains("null0", "OFFLINE", "yes");
    luns.target = "iqn.nope";
    assertThatThrownBy(luns::execute).hasMessage("no target iqn.nope");
  }

  @Test
  void targetNamesComplete() {
    TargetCompleter completer = new TargetCompleter();
    completer.management = management;
    List<String> candidates = new ArrayList<>();
    completer.complete(null, new org.apache.karaf.shell.support.parsing.CommandLineImpl(
        new String[] {"karst:lun-list", "iqn"}, 1, 3, 18, "karst:lun-list iqn"), candidates);
    assertThat(candidates).anyMatch(c -> c.startsWith("iqn.2026-11.io.karst:default"));
  }

  @Test
  void sizesAreBinary() {
    assertThat(Format.size(512)).isEqualTo("512 B");
    assertThat(Format.size(1536)).isEqualTo("1.5 KiB");
    assertThat(Format.size(1L << 40)).isEqualTo("1.0 TiB");
  }
}
