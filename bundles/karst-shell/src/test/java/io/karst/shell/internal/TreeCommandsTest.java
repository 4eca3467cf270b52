package io.karst.shell.internal;

import static io.karst.shell.internal.FakeManagement.SHARED;
import static io.karst.shell.internal.FakeManagement.TARGET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.karst.api.mgmt.Management.ApplyReport;
import io.karst.api.mgmt.Management.ObjectInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.karaf.shell.api.console.Candidate;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.parsing.CommandLineImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each command that works through the management tree against {@link FakeManagement}: the
 * path and management command it sends, what it prints, and how it reports a refusal.
 */
class TreeCommandsTest {

  private static final String T = "/targets/iscsi/" + TARGET;

  private final FakeManagement management = new FakeManagement();

  /** Runs a command, set up by {@code setup}, with {@code System.out} captured. */
  private <C extends TreeCommand> String run(C command, Consumer<C> setup) throws Exception {
    command.management = management;
    setup.accept(command);
    PrintStream before = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertThat(command.execute()).isNull();
    } finally {
      System.setOut(before);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The last change the command asked of the tree. */
  private String sent() {
    assertThat(management.calls).isNotEmpty();
    return management.calls.get(management.calls.size() - 1);
  }

  @Test
  void deviceCommandsAddRemoveAndResyncThroughTheirHandler() throws Exception {
    String out = run(new DeviceAdd(), c -> {
      c.handler = "vdisk_fileio";
      c.name = "disk1";
      c.parameters = List.of("filename=/srv/disk1.img", "size=1G");
    });
    assertThat(sent()).isEqualTo("execute /handlers/vdisk_fileio: add_device disk1 "
        + "filename=/srv/disk1.img; size=1G");
    assertThat(out).isEqualTo("done: add_device disk1 filename=/srv/disk1.img; size=1G\n");
    run(new DeviceRemove(), c -> c.name = "disk0");
    assertThat(sent()).isEqualTo("execute /handlers/vdisk_fileio: del_device disk0");
    run(new DeviceResync(), c -> c.name = "disk0");
    assertThat(sent()).isEqualTo("execute /devices/disk0: resync_size");
  }

  @Test
  void aParameterThatIsNotAnAssignmentIsRefusedBeforeAnythingIsSent() {
    DeviceAdd add = new DeviceAdd();
    add.management = management;
    add.handler = "vdisk_fileio";
    add.name = "disk1";
    add.parameters = List.of("/srv/disk1.img");
    assertThatThrownBy(add::execute).isInstanceOf(CommandException.class)
        .hasMessageStartingWith("parameter /srv/disk1.img is not attribute=value\n")
        .hasMessageContaining("karst:show /handlers/vdisk_fileio");
    assertThat(management.calls).isEmpty();
  }

  @Test
  void aRefusalIsACommandErrorWithWhereToLookNext() {
    management.refuse = "no device disk9";
    LunAdd add = new LunAdd();
    add.management = management;
    add.target = TARGET;
    add.lun = 1;
    add.device = "disk9";
    assertThatThrownBy(add::execute).isInstanceOf(CommandException.class)
        .hasMessage("no device disk9\nkarst:lun-list " + TARGET + " lists its LUNs;"
            + " karst:device-list the devices");
  }

  @Test
  void unknownDeviceIsNamedWithTheListToConsult() {
    DeviceRemove remove = new DeviceRemove();
    remove.management = management;
    remove.name = "disk9";
    assertThatThrownBy(remove::execute).isInstanceOf(CommandException.class)
        .hasMessageStartingWith("no device disk9 (karst:device-list lists them)");
  }

  @Test
  void targetCommandsFindTheDriverOrAskForIt() throws Exception {
    run(new TargetAdd(), c -> {
      c.driver = "iscsi";
      c.name = "iqn.2026-11.io.karst:new";
    });
    assertThat(sent()).isEqualTo("execute /targets/iscsi: add_target iqn.2026-11.io.karst:new");
    run(new TargetRemove(), c -> c.target = TARGET);
    assertThat(sent()).isEqualTo("execute /targets/iscsi: del_target " + TARGET);
    assertThat(run(new TargetDisable(), c -> c.target = TARGET)).contains(TARGET + " disabled");
    assertThat(sent()).isEqualTo("set " + T + " enabled=0");
    run(new TargetEnable(), c -> c.target = TARGET);
    assertThat(sent()).isEqualTo("set " + T + " enabled=1");

    TargetEnable ambiguous = new TargetEnable();
    ambiguous.management = management;
    ambiguous.target = SHARED;
    assertThatThrownBy(ambiguous::execute).isInstanceOf(CommandException.class)
        .hasMessageStartingWith("target " + SHARED + " exists for drivers iscsi and local: name"
            + " one with --driver");
    run(new TargetEnable(), c -> {
      c.target = SHARED;
      c.driver = "local";
    });
    assertThat(sent()).isEqualTo("set /targets/local/" + SHARED + " enabled=1");
  }

  @Test
  void driverEnableAndDisableSetItsEnabledAttribute() throws Exception {
    run(new DriverDisable(), c -> c.driver = "iscsi");
    assertThat(sent()).isEqualTo("set /targets/iscsi enabled=0");
    assertThat(run(new DriverEnable(), c -> c.driver = "iscsi")).isEqualTo("iscsi enabled\n");
    assertThat(sent()).isEqualTo("set /targets/iscsi enabled=1");
  }

  @Test
  void lunCommandsAddressTheDefaultLunsOrAGroupsLuns() throws Exception {
    run(new LunAdd(), c -> {
      c.target = TARGET;
      c.lun = 1;
      c.device = "disk1";
      c.readOnly = true;
    });
    assertThat(sent()).isEqualTo("execute " + T + "/luns: add 1 disk1 read_only=1");
    run(new LunReplace(), c -> {
      c.target = TARGET;
      c.group = "esx";
      c.lun = 3;
      c.device = "disk2";
    });
    assertThat(sent()).isEqualTo("execute " + T + "/ini_groups/esx/luns: replace 3 disk2");
    run(new LunRemove(), c -> {
      c.target = TARGET;
      c.lun = 1;
    });
    assertThat(sent()).isEqualTo("execute " + T + "/luns: del 1");
    run(new LunClear(), c -> {
      c.target = TARGET;
      c.group = "esx";
    });
    assertThat(sent()).isEqualTo("execute " + T + "/ini_groups/esx/luns: clear");
  }

  @Test
  void groupAndInitiatorCommands() throws Exception {
    run(new GroupAdd(), c -> {
      c.target = TARGET;
      c.group = "linux";
    });
    assertThat(sent()).isEqualTo("execute " + T + "/ini_groups: create linux");
    run(new GroupRemove(), c -> {
      c.target = TARGET;
      c.group = "linux";
    });
    assertThat(sent()).isEqualTo("execute " + T + "/ini_groups: del linux");
    String initiators = T + "/ini_groups/esx/initiators";
    run(new InitiatorAdd(), c -> {
      c.target = TARGET;
      c.group = "esx";
      c.initiator = "!iqn.1998-01.com.vmware:test?";
    });
    assertThat(sent()).isEqualTo("execute " + initiators + ": add !iqn.1998-01.com.vmware:test?");
    run(new InitiatorRemove(), c -> {
      c.target = TARGET;
      c.group = "esx";
      c.initiator = "iqn.1998-01.com.vmware:*";
    });
    assertThat(sent()).isEqualTo("execute " + initiators + ": del iqn.1998-01.com.vmware:*");
    run(new InitiatorMove(), c -> {
      c.target = TARGET;
      c.group = "esx";
      c.initiator = "iqn.1998-01.com.vmware:*";
      c.to = "linux";
    });
    assertThat(sent()).isEqualTo("execute " + initiators + ": move iqn.1998-01.com.vmware:* linux");
    run(new InitiatorClear(), c -> {
      c.target = TARGET;
      c.group = "esx";
    });
    assertThat(sent()).isEqualTo("execute " + initiators + ": clear");
  }

  @Test
  void groupListShowsPatternsAndLuns() throws Exception {
    String out = run(new GroupList(), c -> c.target = TARGET);
    assertThat(out).contains("esx", "iqn.1998-01.com.vmware:*, !iqn.1998-01.com.vmware:old*",
        "3=disk0").doesNotContain("other");
    assertThat(run(new GroupList(), c -> { })).contains("esx", "other");
  }

  @Test
  void sessionCloseAddressesTheSessionNode() throws Exception {
    run(new SessionClose(), c -> {
      c.target = TARGET;
      c.initiator = "iqn.1993-08.org.debian:01:abc";
    });
    assertThat(sent()).isEqualTo("execute " + T + "/sessions/iqn.1993-08.org.debian:01:abc: close");
  }

  @Test
  void sessionShowListsTheSessionsAttributesAndARowPerConnection() throws Exception {
    String out = run(new SessionShow(), c -> {
      c.target = TARGET;
      c.initiator = "iqn.1993-08.org.debian:01:abc";
    });
    assertThat(management.calls).as("reads only").isEmpty();
    List<String> lines = out.lines().map(String::strip).toList();
    assertThat(lines.get(0)).isEqualTo(T + "/sessions/iqn.1993-08.org.debian:01:abc");
    assertThat(lines).anyMatch(l -> l.matches("HeaderDigest\\s*\\|\\s*CRC32C\\s*\\|.*"))
        .anyMatch(l -> l.matches("MaxBurstLength\\s*\\|\\s*1048576\\s*\\|.*"));
    // One column per connection attribute, in the driver's order; a value it lacks is blank.
    assertThat(lines).anyMatch(l -> l.matches("Connection\\s*\\|\\s*cid\\s*\\|\\s*ip\\s*\\|"
        + "\\s*port\\s*\\|\\s*state"))
        .anyMatch(l -> l.matches("127\\.0\\.0\\.1\\s*\\|\\s*1\\s*\\|\\s*127\\.0\\.0\\.1\\s*\\|"
            + "\\s*40001\\s*\\|\\s*established"))
        .anyMatch(l -> l.matches("127\\.0\\.0\\.1_1\\s*\\|\\s*2\\s*\\|\\s*127\\.0\\.0\\.1\\s*\\|"
            + "\\s*\\|\\s*closing"));
  }

  @Test
  void sessionShowLeavesOutAConnectionThatClosedWhileListing() throws Exception {
    String session = T + "/sessions/iqn.1993-08.org.debian:01:abc";
    // The session was read with a connection that is gone by the time it is read itself.
    ObjectInfo read = management.nodes.get(session);
    List<String> children = new ArrayList<>(read.children());
    children.add(0, "10.0.0.9");
    management.nodes.put(session, new ObjectInfo(read.path(), read.kind(), read.attributes(),
        read.commands(), children));
    String out = run(new SessionShow(), c -> {
      c.target = TARGET;
      c.initiator = "iqn.1993-08.org.debian:01:abc";
    });
    List<String> lines = out.lines().map(String::strip).toList();
    assertThat(lines).noneMatch(l -> l.startsWith("10.0.0.9"))
        .anyMatch(l -> l.matches("127\\.0\\.0\\.1\\s*\\|\\s*1\\s*\\|.*established"))
        .anyMatch(l -> l.matches("127\\.0\\.0\\.1_1\\s*\\|\\s*2\\s*\\|.*closing"));
  }

  @Test
  void sessionShowOfASessionWhoseConnectionsAllClosedShowsTheSessionAlone() throws Exception {
    String session = T + "/sessions/iqn.1993-08.org.debian:01:abc";
    management.nodes.remove(session + "/127.0.0.1");
    management.nodes.remove(session + "/127.0.0.1_1");
    String out = run(new SessionShow(), c -> {
      c.target = TARGET;
      c.initiator = "iqn.1993-08.org.debian:01:abc";
    });
    assertThat(out).contains("MaxBurstLength").doesNotContain("Connection");
  }

  @Test
  void sessionShowOfAnUnknownSessionSaysWhereToLook() {
    SessionShow show = new SessionShow();
    show.management = management;
    show.target = TARGET;
    show.initiator = "iqn.nobody";
    assertThatThrownBy(show::execute).isInstanceOf(CommandException.class)
        .hasMessageContaining("karst:session-list lists the open sessions");
  }

  @Test
  void aluaGroupCommands() throws Exception {
    run(new DgroupAdd(), c -> c.deviceGroup = "dg");
    assertThat(sent()).isEqualTo("execute /device_groups: create dg");
    run(new DgroupDeviceAdd(), c -> {
      c.deviceGroup = "dg";
      c.device = "disk0";
    });
    assertThat(sent()).isEqualTo("execute /device_groups/dg/devices: add disk0");
    run(new TgroupAdd(), c -> {
      c.deviceGroup = "dg";
      c.targetGroup = "local";
      c.parameters = List.of("group_id=7");
    });
    assertThat(sent()).isEqualTo("execute /device_groups/dg/target_groups: add local group_id=7");
    run(new TgroupTargetAdd(), c -> {
      c.deviceGroup = "dg";
      c.targetGroup = "remote";
      c.target = "iqn.peer";
      c.parameters = List.of("rel_tgt_id=9");
    });
    assertThat(sent())
        .isEqualTo("execute /device_groups/dg/target_groups/remote: add iqn.peer rel_tgt_id=9");
    run(new TgroupTargetRemove(), c -> {
      c.deviceGroup = "dg";
      c.targetGroup = "remote";
      c.target = "iqn.peer";
    });
    assertThat(sent()).isEqualTo("execute /device_groups/dg/target_groups/remote: del iqn.peer");
    run(new TgroupRemove(), c -> {
      c.deviceGroup = "dg";
      c.targetGroup = "local";
    });
    assertThat(sent()).isEqualTo("execute /device_groups/dg/target_groups: del local");
    run(new DgroupDeviceRemove(), c -> {
      c.deviceGroup = "dg";
      c.device = "disk0";
    });
    assertThat(sent()).isEqualTo("execute /device_groups/dg/devices: del disk0");
    run(new DgroupRemove(), c -> c.deviceGroup = "dg");
    assertThat(sent()).isEqualTo("execute /device_groups: del dg");
  }

  @Test
  void showPrintsAttributesWithMarksCommandsAndChildren() throws Exception {
    String out = run(new Show(), c -> c.path = "devices/disk0");
    assertThat(out).startsWith("/devices/disk0 (device)\n");
    assertThat(row(out, "filename")).containsExactly("filename", "/srv/disk0.img", "",
        "[key] create", "The backing file");
    assertThat(row(out, "t10_vend_id")).containsExactly("t10_vend_id", "KARST", "KARST", "rw",
        "The vendor in INQUIRY data");
    assertThat(row(out, "resync_size")).containsExactly("resync_size", "resync_size",
        "Reads the size again");
    String target = run(new Show(), c -> c.path = T);
    assertThat(row(target, "IncomingUser")).contains("joe ***, ann ***", "[key] rw multi");
    assertThat(target).contains("Children: luns ini_groups sessions");
  }

  @Test
  void lsListsChildrenAndRecursively() throws Exception {
    String top = run(new Ls(), c -> { });
    assertThat(row(top, "/targets")).containsExactly("/targets", "targets", "0", "0", "2");
    assertThat(top).doesNotContain("/targets/iscsi");
    String all = run(new Ls(), c -> {
      c.path = "/targets/iscsi";
      c.recursive = true;
    });
    assertThat(row(all, T + "/ini_groups/esx/initiators")).containsExactly(
        T + "/ini_groups/esx/initiators", "initiators", "0", "0", "2");
  }

  @Test
  void attrGetPrintsOneValuePerLineOrTheTable() throws Exception {
    assertThat(run(new AttrGet(), c -> {
      c.path = T;
      c.attribute = "IncomingUser";
    })).isEqualTo("joe ***\nann ***\n");
    assertThat(row(run(new AttrGet(), c -> c.path = "/devices/disk0"), "filename"))
        .containsExactly("filename", "/srv/disk0.img", "[key] create");
    AttrGet missing = new AttrGet();
    missing.management = management;
    missing.path = "/devices/disk0";
    missing.attribute = "colour";
    assertThatThrownBy(missing::execute).isInstanceOf(CommandException.class)
        .hasMessageStartingWith("/devices/disk0 has no attribute colour; it has filename,"
            + " t10_vend_id\nkarst:show /devices/disk0");
  }

  @Test
  void attrSetJoinsValuesAsTheAttributeTakesThem() throws Exception {
    run(new AttrSet(), c -> {
      c.path = T;
      c.attribute = "IncomingUser";
      c.values = List.of("joe secret123456", "ann other1234567");
    });
    assertThat(sent()).isEqualTo("set " + T + " IncomingUser=joe secret123456\nann other1234567");
    run(new AttrSet(), c -> {
      c.path = "/devices/disk0";
      c.attribute = "t10_vend_id";
      c.values = List.of("ACME", "CORP");
    });
    assertThat(sent()).isEqualTo("set /devices/disk0 t10_vend_id=ACME CORP");
  }

  @Test
  void mgmtRunsAnyCommandOfANode() throws Exception {
    run(new Mgmt(), c -> {
      c.path = "/handlers/vdisk_fileio";
      c.command = List.of("add_device", "disk1", "filename=/x.img;", "size=1G");
    });
    assertThat(sent())
        .isEqualTo("execute /handlers/vdisk_fileio: add_device disk1 filename=/x.img; size=1G");
  }

  @Test
  void configApplyPrintsThePlanAndWhatWasLeftAlone(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("scst.conf");
    Files.writeString(file, "HANDLER vdisk_fileio {\n}\n");
    String out = run(new ConfigApply(), c -> c.file = file.toString());
    assertThat(sent()).isEqualTo("apply " + file + " force=false dryRun=false");
    assertThat(management.applied).isEqualTo("HANDLER vdisk_fileio {\n}\n");
    assertThat(out).isEqualTo("Applied:\n  add device disk1\n");
    management.report = new ApplyReport(List.of("remove LUN 1"), List.of("device disk9: absent"),
        false);
    out = run(new ConfigApply(), c -> {
      c.file = file.toString();
      c.dryRun = true;
    });
    assertThat(out).isEqualTo("Plan (dry run, nothing changed):\n  remove LUN 1\n"
        + "Not applied (--force would):\n  device disk9: absent\n");
    management.report = new ApplyReport(List.of(), List.of(), true);
    assertThat(run(new ConfigApply(), c -> c.file = file.toString()))
        .startsWith("nothing to do: the running system matches");
    ConfigApply missing = new ConfigApply();
    missing.management = management;
    missing.file = dir.resolve("nope.conf").toString();
    assertThatThrownBy(missing::execute).isInstanceOf(CommandException.class)
        .hasMessageStartingWith("no file " + dir.resolve("nope.conf"));
  }

  @Test
  void configClearAppliesAnEmptyConfigurationWithForceOnlyWhenAsked() throws Exception {
    management.report = new ApplyReport(List.of("remove device disk0"), List.of(), false);
    assertThat(run(new ConfigClear(), c -> { })).isEqualTo(
        "Would remove (repeat with --force to do it):\n  remove device disk0\n");
    assertThat(sent()).isEqualTo("apply empty configuration force=true dryRun=true");
    assertThat(management.applied).isEmpty();
    management.report = new ApplyReport(List.of("remove device disk0"), List.of(), true);
    assertThat(run(new ConfigClear(), c -> c.force = true))
        .isEqualTo("Removed:\n  remove device disk0\n");
    assertThat(sent()).isEqualTo("apply empty configuration force=true dryRun=false");
  }

  @Test
  void configCheckPrintsWarningsOrTheError(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("scst.conf");
    Files.writeString(file, "TARGET_DRIVER qla2x00t {\n}\n");
    management.warnings = List.of("scst.conf:1: driver qla2x00t is not registered");
    assertThat(run(new ConfigCheck(), c -> c.file = file.toString())).isEqualTo(file
        + ": no errors, 1 warning\n  scst.conf:1: driver qla2x00t is not registered\n");
    management.refuse = "scst.conf:2: } without {";
    ConfigCheck check = new ConfigCheck();
    check.management = management;
    check.file = file.toString();
    assertThatThrownBy(check::execute).isInstanceOf(CommandException.class)
        .hasMessageStartingWith("scst.conf:2: } without {\nfix the line");
  }

  @Test
  void configWritePrintsOrReplacesAFileWhole(@TempDir Path dir) throws Exception {
    assertThat(run(new ConfigWrite(), c -> c.all = true)).startsWith("# all\n");
    Path file = dir.resolve("saved.conf");
    Files.writeString(file, "old");
    assertThat(run(new ConfigWrite(), c -> c.file = file.toString())).startsWith("wrote ");
    assertThat(Files.readString(file)).isEqualTo("HANDLER vdisk_fileio {\n}\n");
    try (var listing = Files.list(dir)) {
      assertThat(listing).containsExactly(file);
    }
  }

  @Test
  void pathsCompleteOneLevelAtATime() {
    PathCompleter completer = new PathCompleter();
    completer.management = management;
    assertThat(completer.candidates("/t")).extracting(Candidate::value)
        .containsExactly("/targets/");
    assertThat(completer.candidates("/targets/iscsi/")).extracting(Candidate::value)
        .containsExactly(T + "/", "/targets/iscsi/" + SHARED + "/");
    List<Candidate> leaves = completer.candidates(T + "/luns/");
    assertThat(leaves).extracting(Candidate::value).containsExactly(T + "/luns/0");
    assertThat(leaves.get(0).complete()).isTrue();
    assertThat(completer.candidates("/nowhere/x")).isEmpty();
  }

  @Test
  void namesInsideATargetCompleteFromTheTargetOnTheLine() {
    assertThat(complete(new NameCompleter.Groups(), "karst:group-remove", TARGET, ""))
        .containsExactly("esx");
    assertThat(complete(new NameCompleter.Groups(), "karst:group-remove", ""))
        .contains("esx", "other");
    assertThat(complete(new NameCompleter.Luns(), "karst:lun-remove", TARGET, ""))
        .contains("0", "3");
    assertThat(complete(new NameCompleter.Initiators(), "karst:initiator-remove", TARGET, "esx",
        "!")).containsExactly("!iqn.1998-01.com.vmware:old*");
    assertThat(complete(new NameCompleter.Attributes(), "karst:attr-set", "/devices/disk0", "t"))
        .containsExactly("t10_vend_id");
    assertThat(complete(new NameCompleter.Attributes(), "karst:attr-set", "/nowhere", "")).isEmpty();
    assertThat(complete(new NameCompleter.Commands(), "karst:mgmt", "/devices/disk0", ""))
        .containsExactly("resync_size");
    assertThat(complete(new NameCompleter.Sessions(), "karst:session-close", TARGET, ""))
        .containsExactly("iqn.1993-08.org.debian:01:abc");
    assertThat(complete(new NameCompleter.Handlers(), "karst:device-add", ""))
        .containsExactly("vdisk_fileio");
    assertThat(complete(new NameCompleter.Drivers(), "karst:target-add", "l"))
        .containsExactly("local");
    assertThat(complete(new NameCompleter.Devices(), "karst:device-remove", ""))
        .containsExactly("disk0");
  }

  /** The candidates a completer offers for the last word of a line, trailing space removed. */
  private List<String> complete(NameCompleter completer, String... words) {
    completer.management = management;
    String line = String.join(" ", words);
    String last = words[words.length - 1];
    List<String> candidates = new ArrayList<>();
    completer.complete(null, new CommandLineImpl(words, words.length - 1, last.length(),
        line.length(), line), candidates);
    return candidates.stream().map(String::strip).toList();
  }

  /** The output's row whose first cell is {@code key}, split into trimmed cells. */
  private static List<String> row(String output, String key) {
    return output.lines().map(l -> List.of(l.split("\\|", -1)).stream().map(String::trim)
            .toList())
        .filter(cells -> cells.get(0).equals(key)).findFirst()
        .orElseThrow(() -> new AssertionError("no row " + key + " in\n" + output));
  }
}
