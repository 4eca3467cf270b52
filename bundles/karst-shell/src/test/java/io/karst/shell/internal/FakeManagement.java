package io.karst.shell.internal;

import io.karst.api.mgmt.AttributeType;
import io.karst.api.mgmt.Management;
import io.karst.api.mgmt.ManagementException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A management tree of a few fixed nodes that records every change asked of it, and refuses
 * the changes {@link #refuse} names as core would.
 */
class FakeManagement implements Management {

  static final String TARGET = "iqn.2026-11.io.karst:default";
  static final String SHARED = "iqn.2026-11.io.karst:shared";

  /** Each change asked, as "execute PATH: COMMAND" or "set PATH ATTRIBUTE=VALUE". */
  final List<String> calls = new ArrayList<>();
  /** A refusal's message, thrown by the next change when set. */
  String refuse;
  final Map<String, ObjectInfo> nodes = new LinkedHashMap<>();
  ApplyReport report = new ApplyReport(List.of("add device disk1"), List.of(), true);
  List<String> warnings = List.of();
  String applied;

  FakeManagement() {
    node("/", "root", List.of(), List.of(), "handlers", "devices", "targets", "device_groups");
    node("/handlers", "handlers", List.of(), List.of(), "vdisk_fileio");
    node("/handlers/vdisk_fileio", "handler", List.of(),
        List.of(new CommandInfo("add_device", "add_device NAME [attribute=value; ...]",
            "Adds a device of this handler")), "disk0");
    node("/handlers/vdisk_fileio/disk0", "device", List.of(), List.of());
    node("/devices", "devices", List.of(), List.of(), "disk0");
    node("/devices/disk0", "device", List.of(
        new AttributeInfo("filename", AttributeType.STRING, "/srv/disk0.img", null, false, true,
            true, false, "The backing file"),
        new AttributeInfo("t10_vend_id", AttributeType.STRING, "KARST", "KARST", true, true,
            false, false, "The vendor in INQUIRY data")),
        List.of(new CommandInfo("resync_size", "resync_size", "Reads the size again")));
    node("/targets", "targets", List.of(), List.of(), "iscsi", "local");
    node("/targets/iscsi", "driver", List.of(
        new AttributeInfo("enabled", AttributeType.BOOLEAN, "1", "1", true, false, false, false,
            "Whether the driver serves")), List.of(), TARGET, SHARED);
    node("/targets/iscsi/" + TARGET, "target", List.of(
        new AttributeInfo("IncomingUser", AttributeType.STRING, "joe ***\nann ***", null, true,
            false, true, true, "CHAP users")), List.of(), "luns", "ini_groups", "sessions");
    node("/targets/iscsi/" + TARGET + "/luns", "luns", List.of(), List.of(), "0");
    node("/targets/iscsi/" + TARGET + "/luns/0", "lun", List.of(lunDevice("disk0")), List.of());
    String session = "/targets/iscsi/" + TARGET + "/sessions/iqn.1993-08.org.debian:01:abc";
    node("/targets/iscsi/" + TARGET + "/sessions", "sessions", List.of(), List.of(),
        "iqn.1993-08.org.debian:01:abc");
    node(session, "session", List.of(shown("commands", AttributeType.INTEGER, "3"),
        shown("HeaderDigest", AttributeType.STRING, "CRC32C"),
        shown("MaxBurstLength", AttributeType.INTEGER, "1048576")),
        List.of(new CommandInfo("close", "close", "Ends the session")),
        "127.0.0.1", "127.0.0.1_1");
    node(session + "/127.0.0.1", "connection", List.of(shown("cid", AttributeType.INTEGER, "1"),
        shown("ip", AttributeType.STRING, "127.0.0.1"),
        shown("port", AttributeType.INTEGER, "40001"),
        shown("state", AttributeType.STRING, "established")), List.of());
    node(session + "/127.0.0.1_1", "connection", List.of(
        shown("cid", AttributeType.INTEGER, "2"), shown("ip", AttributeType.STRING, "127.0.0.1"),
        shown("state", AttributeType.STRING, "closing")), List.of());
    node("/targets/iscsi/" + TARGET + "/ini_groups", "ini_groups", List.of(), List.of(), "esx");
    node("/targets/iscsi/" + TARGET + "/ini_groups/esx", "ini_group", List.of(), List.of(),
        "luns", "initiators");
    node("/targets/iscsi/" + TARGET + "/ini_groups/esx/luns", "luns", List.of(), List.of(), "3");
    node("/targets/iscsi/" + TARGET + "/ini_groups/esx/luns/3", "lun", List.of(lunDevice("disk0")),
        List.of());
    node("/targets/iscsi/" + TARGET + "/ini_groups/esx/initiators", "initiators", List.of(),
        List.of(), "iqn.1998-01.com.vmware:*", "!iqn.1998-01.com.vmware:old*");
    node("/targets/iscsi/" + TARGET + "/ini_groups/esx/initiators/iqn.1998-01.com.vmware:*",
        "initiator", List.of(), List.of());
    node("/targets/iscsi/" + TARGET + "/ini_groups/esx/initiators/!iqn.1998-01.com.vmware:old*",
        "initiator", List.of(), List.of());
    node("/targets/iscsi/" + SHARED, "target", List.of(), List.of(), "luns", "ini_groups",
        "sessions");
    node("/targets/iscsi/" + SHARED + "/ini_groups", "ini_groups", List.of(), List.of(), "other");
    for (String part : List.of("", "/luns", "/initiators")) {
      node("/targets/iscsi/" + SHARED + "/ini_groups/other" + part, "ini_group", List.of(),
          List.of());
    }
    node("/targets/local", "driver", List.of(), List.of(), SHARED);
    for (String t : List.of("/targets/iscsi/" + SHARED, "/targets/local/" + SHARED)) {
      node(t + "/luns", "luns", List.of(), List.of());
      node(t + "/sessions", "sessions", List.of(), List.of());
    }
    node("/targets/local/" + SHARED, "target", List.of(), List.of(), "luns", "ini_groups",
        "sessions");
    node("/targets/local/" + SHARED + "/ini_groups", "ini_groups", List.of(), List.of());
    node("/device_groups", "device_groups", List.of(), List.of());
  }

  /** A read-only value of the running system. */
  private static AttributeInfo shown(String name, AttributeType type, String value) {
    return new AttributeInfo(name, type, value, null, false, false, false, false,
        "What " + name + " is");
  }

  private static AttributeInfo lunDevice(String device) {
    return new AttributeInfo("device", AttributeType.STRING, device, null, false, true, true,
        false, "The device");
  }

  private void node(String path, String kind, List<AttributeInfo> attributes,
      List<CommandInfo> commands, String... children) {
    nodes.put(path, new ObjectInfo(path, kind, attributes, commands, List.of(children)));
  }

  private void change(String call) {
    if (refuse != null) {
      throw new ManagementException(refuse);
    }
    calls.add(call);
  }

  @Override
  public ObjectInfo object(String path) {
    ObjectInfo node = nodes.get(path);
    if (node == null) {
      throw new ManagementException("nothing at " + path);
    }
    return node;
  }

  @Override
  public void set(String path, String attribute, String value) {
    change("set " + path + " " + attribute + "=" + value);
  }

  @Override
  public String execute(String path, String command) {
    change("execute " + path + ": " + command);
    return "done: " + command;
  }

  @Override
  public ApplyReport apply(String text, String source, boolean force, boolean dryRun) {
    change("apply " + source + " force=" + force + " dryRun=" + dryRun);
    applied = text;
    return report;
  }

  @Override
  public String write(boolean allAttributes) {
    return allAttributes ? "# all\nHANDLER vdisk_fileio {\n}\n" : "HANDLER vdisk_fileio {\n}\n";
  }

  @Override
  public List<String> check(String text, String source) {
    if (refuse != null) {
      throw new ManagementException(refuse);
    }
    return warnings;
  }

  @Override
  public List<HandlerInfo> handlers() {
    return List.of(new HandlerInfo("vdisk_fileio", true, List.of()));
  }

  @Override
  public List<DeviceInfo> devices() {
    return List.of(new DeviceInfo("disk0", "vdisk_fileio", DeviceState.ONLINE, null, 2048, 512,
        Map.of()));
  }

  @Override
  public List<DriverInfo> drivers() {
    return List.of(new DriverInfo("iscsi", true, true, true, Map.of()),
        new DriverInfo("local", true, true, true, Map.of()));
  }

  @Override
  public List<TargetInfo> targets() {
    return List.of(new TargetInfo("iscsi", TARGET, true, Map.of(),
            List.of(new LunInfo(0, "disk0", false))),
        new TargetInfo("iscsi", SHARED, true, Map.of(), List.of()),
        new TargetInfo("local", SHARED, true, Map.of(), List.of()));
  }

  @Override
  public List<SessionInfo> sessions() {
    return List.of(new SessionInfo("iscsi", TARGET, "iqn.1993-08.org.debian:01:abc", 3));
  }

  @Override
  public List<DeviceGroupInfo> deviceGroups() {
    return List.of();
  }

  @Override
  public void targetGroupState(String deviceGroup, String targetGroup, String state) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<StatisticsInfo> statistics() {
    return List.of();
  }

  @Override
  public boolean latencyMeasurement() {
    return false;
  }

  @Override
  public void latencyMeasurement(boolean on) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void resetStatistics() {
    throw new UnsupportedOperationException();
  }
}
