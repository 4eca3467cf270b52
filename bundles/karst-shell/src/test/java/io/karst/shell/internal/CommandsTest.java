package io.karst.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.karst.api.mgmt.Management;
import io.karst.api.mgmt.Management.Scope;
import io.karst.api.mgmt.Management.Stage;
import io.karst.api.mgmt.Management.StageLatency;
import io.karst.api.mgmt.Management.StatisticsInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.karaf.shell.support.parsing.CommandLineImpl;
import org.junit.jupiter.api.Test;

/** Each command's execute() against a fixed {@link Management}, its output captured. */
class CommandsTest {

  private static final String TARGET = "iqn.2026-11.io.karst:default";
  private static final String OTHER = "iqn.2026-11.io.karst:other";
  private static final String ABC = "iqn.1993-08.org.debian:01:abc";

  private boolean measuring;
  private String aluaState = "active";
  private int resets;

  private final Management management = new Management() {
    @Override
    public List<HandlerInfo> handlers() {
      return List.of(new HandlerInfo("vdisk_fileio", true, List.of()),
          new HandlerInfo("vdisk_nullio", false, List.of()),
          new HandlerInfo("vdisk_spare", true, List.of()));
    }

    @Override
    public List<DeviceInfo> devices() {
      return List.of(
          new DeviceInfo("disk0", "vdisk_fileio", DeviceState.ONLINE, "", 2097152, 512, Map.of()),
          new DeviceInfo("disk1", "vdisk_fileio", DeviceState.ONLINE, null, 1 << 20, 4096,
              Map.of()),
          new DeviceInfo("null0", "vdisk_nullio", DeviceState.OFFLINE,
              "handler vdisk_nullio is not registered", 0, 0, Map.of()));
    }

    @Override
    public List<DriverInfo> drivers() {
      return List.of(new DriverInfo("iscsi", true, true, true,
              Map.of("enabled", "1", "portals", "127.0.0.1:3260",
                  "IncomingUser", "ann ***\njoe ***")),
          new DriverInfo("local", false, false, false, Map.of()));
    }

    @Override
    public List<TargetInfo> targets() {
      return List.of(new TargetInfo("iscsi", TARGET, true, Map.of(),
              List.of(new LunInfo(0, "disk0", false), new LunInfo(1, "null0", true))),
          new TargetInfo("iscsi", OTHER, false, Map.of(),
              List.of(new LunInfo(0, "gone", false))),
          new TargetInfo("local", TARGET, true, Map.of(), List.of()));
    }

    @Override
    public List<SessionInfo> sessions() {
      return List.of(new SessionInfo("iscsi", TARGET, ABC, 42),
          new SessionInfo("iscsi", TARGET, "iqn.1993-08.org.debian:01:def", 7));
    }

    @Override
    public List<DeviceGroupInfo> deviceGroups() {
      return List.of(new DeviceGroupInfo("dg", List.of("disk0", "disk1"), List.of(
          new TargetGroupInfo("here", 1, aluaState, true,
              List.of(new TargetPortInfo(TARGET, 1))),
          new TargetGroupInfo("there", 2, "standby", false,
              List.of(new TargetPortInfo(OTHER, 2), new TargetPortInfo("peer", 9))))));
    }

    @Override
    public void targetGroupState(String deviceGroup, String targetGroup, String state) {
      if (!deviceGroup.equals("dg")) {
        throw new IllegalArgumentException("no device group " + deviceGroup);
      }
      aluaState = targetGroup + "=" + state;
    }

    @Override
    public List<StatisticsInfo> statistics() {
      return List.of(
          new StatisticsInfo(Scope.DEVICE, "disk0", 10, 3 << 20, 4096, 1, List.of(
              new StageLatency(Stage.EXECUTE, 9, 25_400, 12_000, 24_000, 61_000, 75_000, 80_500))),
          new StatisticsInfo(Scope.SESSION, "iscsi session of " + ABC + " to " + TARGET, 10,
              3 << 20, 4096, 1, List.of()));
    }

    @Override
    public ObjectInfo object(String path) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void set(String path, String attribute, String value) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String execute(String path, String command) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ApplyReport apply(String text, String source, boolean force, boolean dryRun) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String write(boolean allAttributes) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<String> check(String text, String source) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean latencyMeasurement() {
      return measuring;
    }

    @Override
    public void latencyMeasurement(boolean on) {
      measuring = on;
    }

    @Override
    public void resetStatistics() {
      resets++;
    }
  };

  /** Runs the command with {@code System.out} captured, as Karaf gives it the session's. */
  private String run(ListCommand command) throws Exception {
    command.management = management;
    return capture(command::execute);
  }

  private static String capture(java.util.concurrent.Callable<Object> command) throws Exception {
    PrintStream before = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertThat(command.call()).isNull();
    } finally {
      System.setOut(before);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The output's row whose first cells are {@code key}, split into trimmed cells. */
  private static List<String> row(String output, String... key) {
    return output.lines()
        .map(l -> Stream.of(l.split("\\|", -1)).map(String::trim).toList())
        .filter(cells -> cells.size() >= key.length
            && cells.subList(0, key.length).equals(List.of(key)))
        .findFirst().orElseThrow(() -> new AssertionError("no row " + List.of(key) + " in\n"
            + output));
  }

  @Test
  void handlerListCountsDevices() throws Exception {
    String out = run(new HandlerList());
    assertThat(out).contains("Handler", "Registered", "Devices");
    assertThat(row(out, "vdisk_fileio")).containsExactly("vdisk_fileio", "yes", "2");
    assertThat(row(out, "vdisk_nullio")).containsExactly("vdisk_nullio", "no", "1");
    assertThat(row(out, "vdisk_spare")).containsExactly("vdisk_spare", "yes", "0");
  }

  @Test
  void deviceListShowsStateSizeAndWhyOffline() throws Exception {
    String out = run(new DeviceList());
    assertThat(row(out, "disk0")).containsExactly("disk0", "vdisk_fileio", "ONLINE", "1.0 GiB",
        "512", "");
    assertThat(row(out, "disk1")).containsExactly("disk1", "vdisk_fileio", "ONLINE", "4.0 GiB",
        "4096", "");
    assertThat(row(out, "null0")).containsExactly("null0", "vdisk_nullio", "OFFLINE", "", "",
        "handler vdisk_nullio is not registered");
  }

  @Test
  void driverListShowsFlagsAndAttributes() throws Exception {
    String out = run(new DriverList());
    assertThat(row(out, "iscsi")).containsExactly("iscsi", "yes", "yes", "yes",
        "IncomingUser=ann ***, joe *** portals=127.0.0.1:3260");
    assertThat(row(out, "local")).startsWith("local", "no", "no", "no");
    assertThat(out).doesNotContain("enabled=");
  }

  @Test
  void targetListCountsLunsAndSessionsPerDriver() throws Exception {
    String out = run(new TargetList());
    assertThat(row(out, "iscsi", TARGET)).containsExactly("iscsi", TARGET, "yes", "2", "2");
    assertThat(row(out, "iscsi", OTHER)).containsExactly("iscsi", OTHER, "no", "1", "0");
    assertThat(row(out, "local")).containsExactly("local", TARGET, "yes", "0", "0");
  }

  @Test
  void sessionListShowsInitiatorsAndCommands() throws Exception {
    String out = run(new SessionList());
    assertThat(row(out, "iscsi", TARGET, ABC)).containsExactly("iscsi", TARGET, ABC, "42");
    assertThat(row(out, "iscsi", TARGET, "iqn.1993-08.org.debian:01:def")).endsWith("7");
  }

  @Test
  void statListShowsCountersOrLatencyByStage() throws Exception {
    StatList stats = new StatList();
    String counters = run(stats);
    assertThat(row(counters, "DEVICE", "disk0"))
        .containsExactly("DEVICE", "disk0", "10", "3.0 MiB", "4.0 KiB", "1");
    stats.latency = true;
    String latency = run(stats);
    assertThat(row(latency, "DEVICE", "disk0", "EXECUTE"))
        .containsExactly("DEVICE", "disk0", "EXECUTE", "9", "25.4", "12.0", "24.0", "61.0",
            "75.0", "80.5");
    assertThat(latency).doesNotContain("SESSION");
  }

  @Test
  void aluaListShowsGroupsAndAluaStateMovesOne() throws Exception {
    String out = run(new AluaList());
    assertThat(row(out, "dg", "here")).containsExactly("dg", "here", "1", "active", "yes",
        TARGET + " (1)", "disk0, disk1");
    assertThat(row(out, "dg", "there")).contains("standby", OTHER + " (2), peer (9)");
    AluaState move = new AluaState();
    move.management = management;
    move.deviceGroup = "dg";
    move.targetGroup = "there";
    move.state = "active";
    assertThat(capture(move::execute)).contains("target group there of dg is active");
    assertThat(aluaState).isEqualTo("there=active");
    move.deviceGroup = "nope";
    assertThatThrownBy(move::execute).hasMessage("no device group nope");
  }

  @Test
  void latencySwitchesMeasurementAndResets() throws Exception {
    LatencyCommand latency = new LatencyCommand();
    latency.management = management;
    latency.state = "on";
    latency.reset = true;
    assertThat(capture(latency::execute)).contains("latency measurement is on; statistics reset");
    assertThat(measuring).isTrue();
    assertThat(resets).isEqualTo(1);
    latency.state = "sideways";
    assertThatThrownBy(latency::execute).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("state must be on or off, not sideways");
    latency.state = null;
    latency.reset = false;
    assertThat(capture(latency::execute)).contains("latency measurement is on");
  }

  @Test
  void lunListShowsAllOrOneTargetAndNamesAMissingOne() throws Exception {
    LunList luns = new LunList();
    String all = run(luns);
    assertThat(row(all, TARGET, "1")).containsExactly(TARGET, "1", "null0", "yes", "OFFLINE");
    assertThat(row(all, TARGET, "0")).containsExactly(TARGET, "0", "disk0", "no", "ONLINE");
    assertThat(row(all, OTHER)).as("a device that is not configured")
        .containsExactly(OTHER, "0", "gone", "no", "");
    luns.target = TARGET;
    assertThat(run(luns)).contains("disk0", "null0").doesNotContain("gone");
    luns.target = "iqn.nope";
    assertThatThrownBy(luns::execute).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no target iqn.nope");
  }

  @Test
  void targetNamesComplete() {
    TargetCompleter completer = new TargetCompleter();
    completer.management = management;
    List<String> candidates = new ArrayList<>();
    String line = "karst:lun-list iqn.2026-11.io.karst:d";
    completer.complete(null, new CommandLineImpl(new String[] {"karst:lun-list",
        "iqn.2026-11.io.karst:d"}, 1, 22, line.length(), line), candidates);
    assertThat(candidates).singleElement().asString().startsWith(TARGET);
  }
}
