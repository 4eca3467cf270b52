package io.karst.core.internal;

import io.karst.api.device.DeviceHandler;
import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;
import io.karst.api.mgmt.Management.AttributeInfo;
import io.karst.api.mgmt.Management.CommandInfo;
import io.karst.api.mgmt.Management.ObjectInfo;
import io.karst.api.mgmt.Management.Scope;
import io.karst.api.mgmt.Management.StatisticsInfo;
import io.karst.api.mgmt.ManagementException;
import io.karst.api.target.SessionDetails;
import io.karst.api.target.SessionDetails.Connection;
import io.karst.api.target.TargetDriver;
import io.karst.core.internal.Config.DeviceConf;
import io.karst.core.internal.Config.DeviceGroupConf;
import io.karst.core.internal.Config.DriverConf;
import io.karst.core.internal.Config.GroupConf;
import io.karst.core.internal.Config.LunConf;
import io.karst.core.internal.Config.TargetConf;
import io.karst.core.internal.Config.TargetGroupConf;
import io.karst.core.internal.Config.TargetPortConf;
import io.karst.core.internal.Config.Value;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The management tree over the engine, SCST's sysfs typed: reads a node ({@link #object}), and
 * turns an attribute change ({@link #set}) or a management command ({@link #execute}) into
 * the whole configuration it asks for, which the engine then checks and applies as a
 * difference. Used under the engine's lock, one call per instance.
 */
final class ManagementTree {

  private static final System.Logger LOG = System.getLogger(ManagementTree.class.getName());

  private static final AttributeDescriptor LUN_DEVICE =
      AttributeDescriptor.builder("device", AttributeType.STRING).required()
          .description("The device the LUN gives access to").build();
  private static final AttributeDescriptor LUN_READ_ONLY =
      AttributeDescriptor.builder("read_only", AttributeType.BOOLEAN).defaultValue("0")
          .createParameter().description("Refuse writes through this LUN").build();
  private static final AttributeDescriptor SESSION_INITIATOR =
      AttributeDescriptor.builder("initiator_name", AttributeType.STRING)
          .description("The initiator port's name").build();
  private static final AttributeDescriptor SESSION_COMMANDS =
      AttributeDescriptor.builder("commands", AttributeType.INTEGER)
          .description("Commands completed on this nexus").build();
  private static final AttributeDescriptor SESSION_READ =
      AttributeDescriptor.builder("read_io_count_kb", AttributeType.INTEGER)
          .description("KiB of data sent to the initiator (Data-In)").build();
  private static final AttributeDescriptor SESSION_WRITTEN =
      AttributeDescriptor.builder("write_io_count_kb", AttributeType.INTEGER)
          .description("KiB of data received from the initiator by commands that completed "
              + "with GOOD (Data-Out)").build();
  private static final AttributeDescriptor SESSION_ERRORS =
      AttributeDescriptor.builder("errors", AttributeType.INTEGER)
          .description("Commands that completed with a status other than GOOD").build();
  private static final AttributeDescriptor GROUP_ID =
      AttributeDescriptor.builder("group_id", AttributeType.INTEGER).createParameter()
          .description("The target port group identifier, 1 to 65535").build();
  private static final AttributeDescriptor STATE =
      AttributeDescriptor.builder("state", AttributeType.STRING).defaultValue("active")
          .writable().description("The asymmetric access state: " + Alua.State.names())
          .build();
  private static final AttributeDescriptor PREFERRED =
      AttributeDescriptor.builder("preferred", AttributeType.BOOLEAN).defaultValue("0")
          .writable().description("Whether this is the preferred target port group (PREF)")
          .build();
  private static final AttributeDescriptor PORT_REL_TGT_ID =
      AttributeDescriptor.builder(Config.REL_TGT_ID, AttributeType.INTEGER).createParameter()
          .description("The relative target port identifier of a target of another system; "
              + "0 for a target of this one").build();

  private static final CommandInfo ADD_DEVICE = new CommandInfo("add_device",
      "add_device NAME [attribute=value; ...]", "Adds a device of this handler");
  private static final CommandInfo DEL_DEVICE = new CommandInfo("del_device",
      "del_device NAME", "Removes a device, with its LUNs and device group memberships");
  private static final CommandInfo ADD_TARGET = new CommandInfo("add_target",
      "add_target NAME [attribute=value; ...]", "Adds a target of this driver");
  private static final CommandInfo DEL_TARGET = new CommandInfo("del_target",
      "del_target NAME", "Removes a target; its sessions are asked to close");
  private static final List<CommandInfo> LUNS = List.of(
      new CommandInfo("add", "add LUN DEVICE [read_only=1]", "Adds a LUN giving access to a "
          + "device"),
      new CommandInfo("del", "del LUN", "Removes a LUN"),
      new CommandInfo("replace", "replace LUN DEVICE [read_only=1]",
          "Makes a LUN give access to another device"),
      new CommandInfo("clear", "clear", "Removes every LUN"));
  private static final List<CommandInfo> INI_GROUPS = List.of(
      new CommandInfo("create", "create GROUP", "Creates an initiator group"),
      new CommandInfo("del", "del GROUP", "Removes an initiator group"));
  private static final List<CommandInfo> INITIATORS = List.of(
      new CommandInfo("add", "add PATTERN", "Adds an initiator name or pattern (* any run of "
          + "characters, ? one, a leading ! for the names the rest does not match)"),
      new CommandInfo("del", "del PATTERN", "Removes an initiator name or pattern"),
      new CommandInfo("move", "move PATTERN GROUP", "Moves an initiator name or pattern to "
          + "another group of the target"),
      new CommandInfo("clear", "clear", "Removes every initiator name and pattern"));
  private static final List<CommandInfo> DEVICE_GROUPS = List.of(
      new CommandInfo("create", "create GROUP", "Creates an ALUA device group"),
      new CommandInfo("del", "del GROUP", "Removes an ALUA device group"));
  private static final List<CommandInfo> DG_DEVICES = List.of(
      new CommandInfo("add", "add DEVICE", "Puts a device in the device group"),
      new CommandInfo("del", "del DEVICE", "Takes a device out of the device group"));
  private static final List<CommandInfo> TARGET_GROUPS = List.of(
      new CommandInfo("add", "add GROUP [group_id=N]", "Adds a target port group (group_id: "
          + "the smallest free one by default)"),
      new CommandInfo("del", "del GROUP", "Removes a target port group"));
  private static final List<CommandInfo> TARGET_GROUP = List.of(
      new CommandInfo("add", "add TARGET [rel_tgt_id=N]", "Adds a target port: a target of "
          + "this system, or of another one with its relative target port identifier"),
      new CommandInfo("del", "del TARGET", "Removes a target port"));
  private static final CommandInfo RESYNC_SIZE = new CommandInfo("resync_size", "resync_size",
      "Reads the size of the backing store again; initiators are told CAPACITY DATA HAS "
          + "CHANGED");
  private static final CommandInfo CLOSE = new CommandInfo("close", "close",
      "Asks the driver to end the session (iSCSI: a logout request)");

  private final Engine engine;
  private final Config config;
  private String done = "";

  ManagementTree(Engine engine) {
    this.engine = engine;
    this.config = engine.config();
  }

  /** What the last {@link #execute} did, one line. */
  String done() {
    return done;
  }

  // Reading

  ObjectInfo object(String path) {
    List<String> p = split(path);
    String at = "/" + String.join("/", p);
    if (p.isEmpty()) {
      return node(at, "root", List.of(), List.of(),
          List.of("handlers", "devices", "targets", "device_groups"));
    }
    switch (p.get(0)) {
      case "handlers":
        if (p.size() == 1) {
          return node(at, "handlers", List.of(), List.of(), List.copyOf(engine.handlerNames()));
        }
        String h = known(p, 1, engine.handlerNames(), "handler");
        if (p.size() == 2) {
          return node(at, "handler", List.of(), List.of(ADD_DEVICE, DEL_DEVICE),
              devicesOf(h));
        }
        known(p, 2, devicesOf(h), "device of handler " + h);
        if (p.size() == 3) {
          return device(at, engine.deviceMap().get(p.get(2)));
        }
        break;
      case "devices":
        if (p.size() == 1) {
          return node(at, "devices", List.of(), List.of(),
              List.copyOf(engine.deviceMap().keySet()));
        }
        known(p, 1, engine.deviceMap().keySet(), "device");
        if (p.size() == 2) {
          return device(at, engine.deviceMap().get(p.get(1)));
        }
        break;
      case "targets":
        return targets(p, at);
      case "device_groups":
        return deviceGroups(p, at);
      default:
        break;
    }
    throw nothingAt(p);
  }

  private ObjectInfo targets(List<String> p, String at) {
    if (p.size() == 1) {
      return node(at, "targets", List.of(), List.of(), List.copyOf(engine.driverNames()));
    }
    String driver = known(p, 1, engine.driverNames(), "target driver");
    DriverConf dc = config.driver(driver).orElse(new DriverConf(driver, 0, Map.of(), List.of()));
    TargetDriver td = engine.driver(driver);
    if (p.size() == 2) {
      return node(at, "driver", attributes(td == null ? null : Engine.driverDescriptors(td),
          engine.driverValues(dc), dc.attributes()), List.of(ADD_TARGET, DEL_TARGET),
          dc.targets().stream().map(TargetConf::name).toList());
    }
    String target = known(p, 2, dc.targets().stream().map(TargetConf::name).toList(),
        "target of driver " + driver);
    TargetConf t = config.target(driver, target).orElseThrow();
    if (p.size() == 3) {
      return node(at, "target", attributes(td == null ? null : Engine.targetDescriptors(td),
          engine.targetValues(driver, t), t.attributes()), List.of(),
          List.of("luns", "ini_groups", "sessions"));
    }
    switch (p.get(3)) {
      case "luns":
        return luns(p, 4, at, t.luns());
      case "sessions":
        List<CoreSession> sessions = sessions(driver, target);
        List<String> names = sessionNames(sessions);
        if (p.size() == 4) {
          return node(at, "sessions", List.of(), List.of(), names);
        }
        known(p, 4, names, "session of target " + target);
        return session(p, at, td, sessions.get(names.indexOf(p.get(4))));
      case "ini_groups":
        List<String> groups = t.groups().stream().map(GroupConf::name).toList();
        if (p.size() == 4) {
          return node(at, "ini_groups", List.of(), INI_GROUPS, groups);
        }
        String group = known(p, 4, groups, "initiator group of target " + target);
        GroupConf g = t.groups().get(groups.indexOf(group));
        if (p.size() == 5) {
          return node(at, "ini_group", List.of(), List.of(), List.of("luns", "initiators"));
        }
        if (p.get(5).equals("luns")) {
          return luns(p, 6, at, g.luns());
        }
        if (p.get(5).equals("initiators")) {
          if (p.size() == 6) {
            return node(at, "initiators", List.of(), INITIATORS, g.initiators());
          }
          known(p, 6, g.initiators(), "initiator of group " + group);
          if (p.size() == 7) {
            return node(at, "initiator", List.of(), List.of(), List.of());
          }
        }
        break;
      default:
        break;
    }
    throw nothingAt(p);
  }

  /**
   * A session: core's attributes and counters, then what its driver shows of it, and a child
   * per connection (SCST's iscsi-scst layout).
   */
  private ObjectInfo session(List<String> p, String at, TargetDriver td, CoreSession s) {
    SessionDetails details = details(s);
    List<String> connections = details.connections().stream().map(Connection::name).toList();
    if (p.size() == 5) {
      StatisticsInfo counted = s.statistics.snapshot(Scope.SESSION, s.describe());
      List<AttributeInfo> attributes = new ArrayList<>(List.of(
          shown(SESSION_INITIATOR, s.initiator()),
          shown(SESSION_COMMANDS, String.valueOf(counted.commands())),
          shown(SESSION_READ, String.valueOf(counted.readBytes() / 1024)),
          shown(SESSION_WRITTEN, String.valueOf(counted.writtenBytes() / 1024)),
          shown(SESSION_ERRORS, String.valueOf(counted.errors()))));
      attributes.addAll(shown(td == null ? List.of() : td.sessionAttributes(),
          details.attributes()));
      return node(at, "session", attributes, List.of(CLOSE), connections);
    }
    known(p, 5, connections, "connection of session " + p.get(4));
    if (p.size() == 6) {
      Connection c = details.connections().get(connections.indexOf(p.get(5)));
      return node(at, "connection", shown(td == null ? List.of() : td.connectionAttributes(),
          c.attributes()), List.of(), List.of());
    }
    throw nothingAt(p);
  }

  /** What the driver shows of a session; nothing when it fails to say. */
  private static SessionDetails details(CoreSession s) {
    try {
      SessionDetails d = s.events.details();
      return d == null ? SessionDetails.NONE : d;
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "the " + s.describe() + " cannot show its details", e);
      return SessionDetails.NONE;
    }
  }

  /** The described attributes that have a value, in the order described. */
  private static List<AttributeInfo> shown(List<AttributeDescriptor> described,
      Map<String, String> values) {
    return described.stream().filter(a -> values.containsKey(a.name()))
        .map(a -> shown(a, values.get(a.name()))).toList();
  }

  /** A value the running system shows, which no configuration holds. */
  private static AttributeInfo shown(AttributeDescriptor a, String value) {
    return new AttributeInfo(a.name(), a.type(), value, null, false, false, false,
        a.multiValued(), a.description());
  }

  private ObjectInfo luns(List<String> p, int depth, String at, List<LunConf> luns) {
    List<String> numbers = luns.stream().map(l -> String.valueOf(l.lun())).toList();
    if (p.size() == depth) {
      return node(at, "luns", List.of(), LUNS, numbers);
    }
    String n = known(p, depth, numbers, "LUN");
    if (p.size() == depth + 1) {
      LunConf l = luns.get(numbers.indexOf(n));
      return node(at, "lun", List.of(info(LUN_DEVICE, l.device(), true),
          info(LUN_READ_ONLY, l.readOnly() ? "1" : "0", false)), List.of(), List.of());
    }
    throw nothingAt(p);
  }

  private ObjectInfo deviceGroups(List<String> p, String at) {
    List<String> names = config.deviceGroups().stream().map(DeviceGroupConf::name).toList();
    if (p.size() == 1) {
      return node(at, "device_groups", List.of(), DEVICE_GROUPS, names);
    }
    String dg = known(p, 1, names, "device group");
    DeviceGroupConf g = config.deviceGroups().get(names.indexOf(dg));
    if (p.size() == 2) {
      return node(at, "device_group", List.of(), List.of(), List.of("devices", "target_groups"));
    }
    if (p.get(2).equals("devices") && p.size() == 3) {
      return node(at, "devices", List.of(), DG_DEVICES, g.devices());
    }
    if (p.get(2).equals("target_groups")) {
      List<String> tgs = g.targetGroups().stream().map(TargetGroupConf::name).toList();
      if (p.size() == 3) {
        return node(at, "target_groups", List.of(), TARGET_GROUPS, tgs);
      }
      String tg = known(p, 3, tgs, "target group of device group " + dg);
      TargetGroupConf t = g.targetGroups().get(tgs.indexOf(tg));
      Alua.PortGroup live = engine.livePortGroup(dg, tg);
      if (p.size() == 4) {
        return node(at, "target_group", List.of(
            info(GROUP_ID, String.valueOf(t.groupId()), true),
            info(STATE, (live == null ? t.state() : live.state()).scstName, false),
            info(PREFERRED, t.preferred() ? "1" : "0", false)), TARGET_GROUP,
            t.targets().stream().map(TargetPortConf::name).toList());
      }
      List<String> ports = t.targets().stream().map(TargetPortConf::name).toList();
      String port = known(p, 4, ports, "target of target group " + tg);
      if (p.size() == 5) {
        return node(at, "target_port", List.of(info(PORT_REL_TGT_ID,
            String.valueOf(t.targets().get(ports.indexOf(port)).relTgtId()), false)),
            List.of(), List.of());
      }
    }
    throw nothingAt(p);
  }

  private ObjectInfo device(String at, Device d) {
    DeviceHandler h = engine.handler(d.handler());
    List<AttributeDescriptor> described = new ArrayList<>(DeviceIdentity.ATTRIBUTES);
    if (h != null) {
      h.deviceAttributes().stream()
          .filter(a -> described.stream().noneMatch(x -> x.name().equals(a.name())))
          .forEach(described::add);
    }
    return node(at, "device", attributes(h == null ? null : described, engine.deviceValues(d),
        d.conf.attributes()), List.of(RESYNC_SIZE), List.of());
  }

  /**
   * Attributes as described, with their values; without descriptors (an owner that is not
   * registered), core's that it knows and the written ones, every value redacted.
   */
  private List<AttributeInfo> attributes(List<AttributeDescriptor> described,
      Map<String, String> values, Map<String, Value> written) {
    List<AttributeInfo> out = new ArrayList<>();
    if (described == null) {
      List<AttributeDescriptor> known = new ArrayList<>(DeviceIdentity.ATTRIBUTES);
      known.add(Engine.enabledDescriptor());
      for (AttributeDescriptor a : known) {
        if (values.containsKey(a.name())) {
          out.add(info(a, values.get(a.name()), false));
        }
      }
      written.keySet().stream().sorted()
          .filter(k -> known.stream().noneMatch(a -> a.name().equals(k)))
          .forEach(k -> out.add(new AttributeInfo(k, AttributeType.STRING,
              AttributeDescriptor.REDACTED, null, false, true, true, false,
              "Not described: its owner is not registered")));
      return out;
    }
    for (AttributeDescriptor a : described) {
      out.add(info(a, values.get(a.name()), false));
    }
    return out;
  }

  private static AttributeInfo info(AttributeDescriptor a, String value, boolean key) {
    String def = a.defaultValue() == null ? null : a.canonical(a.defaultValue());
    return new AttributeInfo(a.name(), a.type(), a.redacted(value), def, a.writable(),
        a.createParameter(), key || value != null && !value.isEmpty() && !value.equals(def),
        a.multiValued(), a.description());
  }

  private static ObjectInfo node(String path, String kind, List<AttributeInfo> attributes,
      List<CommandInfo> commands, List<String> children) {
    return new ObjectInfo(path, kind, List.copyOf(attributes), List.copyOf(commands),
        List.copyOf(children));
  }

  private List<String> devicesOf(String handler) {
    return engine.deviceMap().values().stream().filter(d -> d.handler().equals(handler))
        .map(d -> d.name).toList();
  }

  private List<CoreSession> sessions(String driver, String target) {
    DriverRuntime r = engine.runtime(driver);
    return r == null ? List.of() : r.sessions.stream()
        .filter(s -> s.target().name().equals(target)).toList();
  }

  /** Sessions by initiator name; a second one of the same name gets #2, and so on. */
  private static List<String> sessionNames(List<CoreSession> sessions) {
    List<String> names = new ArrayList<>();
    for (CoreSession s : sessions) {
      String name = s.initiator();
      int n = 1;
      while (names.contains(name)) {
        name = s.initiator() + "#" + ++n;
      }
      names.add(name);
    }
    return names;
  }

  private static List<String> split(String path) {
    if (path == null || !path.startsWith("/")) {
      throw new ManagementException("a path starts with /, as /targets/iscsi; not '" + path
          + "'");
    }
    return java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
  }

  private static String known(List<String> p, int i, java.util.Collection<String> names,
      String what) {
    String name = p.get(i);
    if (!names.contains(name)) {
      throw new ManagementException("no " + what + " " + name + " at /"
          + String.join("/", p.subList(0, i + 1)) + "; there is " + (names.isEmpty() ? "none"
          : String.join(", ", names)));
    }
    return name;
  }

  private static ManagementException nothingAt(List<String> p) {
    return new ManagementException("nothing at /" + String.join("/", p) + "; /"
        + String.join("/", p.subList(0, p.size() - 1)) + " lists what is there");
  }

  // Changing

  /** The configuration with one attribute changed. */
  Config set(String path, String attribute, String value) {
    ObjectInfo node = object(path);
    AttributeInfo a = node.attributes().stream().filter(x -> x.name().equals(attribute))
        .findFirst().orElseThrow(() -> new ManagementException(node.kind() + " " + path
            + " has no attribute " + attribute + "; it has " + String.join(", ",
            node.attributes().stream().map(AttributeInfo::name).toList())));
    List<String> p = split(path);
    boolean driverNode = node.kind().equals("driver");
    if (!a.writable() && !driverNode) {
      throw new ManagementException("attribute " + attribute + " of " + path + " is not "
          + "writable" + (a.createParameter() ? ": it is given when the " + node.kind()
          + " is created (delete and add it again, or apply a file with force)" : ""));
    }
    List<String> values = a.multiValued() ? AttributeDescriptor.values(value) : List.of(value);
    switch (node.kind()) {
      case "device" -> {
        DeviceConf d = engine.deviceMap().get(p.get(p.size() - 1)).conf;
        return config.withDevice(d.with(Config.with(d.attributes(), attribute, values)));
      }
      case "driver" -> {
        DriverConf d = config.driver(p.get(1))
            .orElse(new DriverConf(p.get(1), 0, Map.of(), List.of()));
        return config.withDriver(d.with(Config.with(d.attributes(), attribute, values)));
      }
      case "target" -> {
        return withTarget(p.get(1), p.get(2),
            t -> t.with(Config.with(t.attributes(), attribute, values)));
      }
      case "target_group" -> {
        return withTargetGroup(p.get(1), p.get(3), t -> attribute.equals("state")
            ? t.with(Alua.State.named(value).orElseThrow(() -> new ManagementException(
                "state " + value + " is not one of " + Alua.State.names())), t.preferred())
            : t.with(t.state(), "1".equals(PREFERRED.canonical(value))));
      }
      default -> throw new ManagementException("attribute " + attribute + " of " + path
          + " is not writable");
    }
  }

  /** The configuration a command asks for, or null for a command that changes none. */
  Config execute(String path, String command) {
    ObjectInfo node = object(path);
    String line = command == null ? "" : command.trim();
    String verb = line.split("\\s+", 2)[0];
    CommandInfo c = node.commands().stream().filter(x -> x.name().equals(verb)).findFirst()
        .orElseThrow(() -> new ManagementException(node.commands().isEmpty()
            ? node.kind() + " " + path + " accepts no commands"
            : "'" + verb + "' is not a command of " + path + "; it accepts: " + String.join(
                " | ", node.commands().stream().map(CommandInfo::usage).toList())));
    Command cmd = new Command(c, line.substring(verb.length()).trim());
    List<String> p = split(path);
    return switch (node.kind()) {
      case "handler" -> handlerCommand(p.get(1), cmd);
      case "driver" -> driverCommand(p.get(1), cmd);
      case "luns" -> lunsCommand(p, cmd);
      case "ini_groups" -> groupsCommand(p.get(1), p.get(2), cmd);
      case "initiators" -> initiatorsCommand(p.get(1), p.get(2), p.get(4), cmd);
      case "device_groups" -> deviceGroupsCommand(cmd);
      case "devices" -> dgDevicesCommand(p.get(1), cmd);
      case "target_groups" -> targetGroupsCommand(p.get(1), cmd);
      case "target_group" -> targetGroupCommand(p.get(1), p.get(3), cmd);
      case "device" -> {
        cmd.words(0);
        done = engine.resync(engine.deviceMap().get(p.get(p.size() - 1)));
        yield null;
      }
      case "session" -> {
        cmd.words(0);
        List<CoreSession> sessions = sessions(p.get(1), p.get(2));
        CoreSession s = sessions.get(sessionNames(sessions).indexOf(p.get(4)));
        s.events.closeRequested("an administrator closed the session");
        done = "session " + p.get(4) + " of target " + p.get(2) + " asked to close";
        yield null;
      }
      default -> throw new ManagementException(path + " accepts no commands");
    };
  }

  /**
   * A command's arguments as SCST's mgmt files take them: words, then
   * {@code attribute=value} parameters separated by semicolons.
   */
  private static final class Command {
    final CommandInfo info;
    final List<String> words = new ArrayList<>();
    final Map<String, String> parameters = new LinkedHashMap<>();

    Command(CommandInfo info, String rest) {
      this.info = info;
      String text = rest;
      while (!text.isEmpty()) {
        String[] w = text.split("\\s+", 2);
        if (w[0].contains("=")) {
          break;
        }
        words.add(w[0]);
        text = w.length > 1 ? w[1].trim() : "";
      }
      for (String part : text.split(";")) {
        if (part.isBlank()) {
          continue;
        }
        int eq = part.indexOf('=');
        if (eq <= 0) {
          throw wrong("'" + part.trim() + "' is not attribute=value");
        }
        String name = part.substring(0, eq).trim();
        if (parameters.put(name, part.substring(eq + 1).trim()) != null) {
          throw wrong("attribute " + name + " is given twice");
        }
      }
    }

    /** The words, checking that there are exactly {@code n}. */
    List<String> words(int n) {
      if (words.size() > n && n > 0 && info.usage().contains("=")) {
        throw wrong("'" + words.get(n) + "' is not attribute=value");
      }
      if (words.size() != n) {
        throw wrong(n == 0 ? "it takes no arguments" : "it takes " + n + " argument"
            + (n > 1 ? "s" : "") + " before any parameters");
      }
      return words;
    }

    /** The name the command creates, checked to be one the configuration file can hold. */
    String name() {
      String name = words(1).get(0);
      if (!name.matches("[^\\s/\"{}#\\\\;]+")) {
        throw wrong("the name " + name + " has a character that a name cannot have (blanks, "
            + "/ \" { } # \\ ;)");
      }
      return name;
    }

    void onlyParameters(String... allowed) {
      for (String k : parameters.keySet()) {
        if (!List.of(allowed).contains(k)) {
          throw wrong("it has no parameter " + k);
        }
      }
    }

    ManagementException wrong(String why) {
      return new ManagementException(info.name() + ": " + why + "; type: " + info.usage());
    }
  }

  private Config handlerCommand(String handler, Command cmd) {
    String name = cmd.info == ADD_DEVICE ? cmd.name() : cmd.words(1).get(0);
    if (cmd.info == ADD_DEVICE) {
      if (engine.deviceMap().containsKey(name)) {
        throw new ManagementException("device " + name + " exists already (handler "
            + engine.deviceMap().get(name).handler() + ")");
      }
      Map<String, Value> attributes = new LinkedHashMap<>();
      cmd.parameters.forEach((k, v) -> attributes.put(k, new Value(v, 0)));
      done = "device " + name + " added to handler " + handler;
      return config.withDevice(new DeviceConf(name, handler, 0, Map.copyOf(attributes)));
    }
    cmd.onlyParameters();
    known(List.of("handlers", handler, name), 2, devicesOf(handler), "device of handler "
        + handler);
    Config out = config.withDeviceGroups(config.deviceGroups().stream()
        .map(g -> g.withDevices(g.devices().stream().filter(d -> !d.equals(name)).toList()))
        .toList());
    List<String> luns = new ArrayList<>();
    for (DriverConf d : config.drivers()) {
      DriverConf changed = d;
      for (TargetConf t : d.targets()) {
        TargetConf ct = t.withLuns(dropDevice(t.luns(), name, t.name(), luns));
        for (GroupConf g : t.groups()) {
          ct = ct.withGroup(g.name(), g.withLuns(dropDevice(g.luns(), name,
              t.name() + " group " + g.name(), luns)));
        }
        changed = changed.withTarget(t.name(), ct);
      }
      out = out.withDriver(changed);
    }
    done = "device " + name + " removed" + (luns.isEmpty() ? ""
        : ", with " + String.join(", ", luns));
    return out.without(name);
  }

  private static List<LunConf> dropDevice(List<LunConf> luns, String device, String where,
      List<String> dropped) {
    luns.stream().filter(l -> l.device().equals(device))
        .forEach(l -> dropped.add("LUN " + l.lun() + " of " + where));
    return luns.stream().filter(l -> !l.device().equals(device)).toList();
  }

  private Config driverCommand(String driver, Command cmd) {
    String name = cmd.info == ADD_TARGET ? cmd.name() : cmd.words(1).get(0);
    DriverConf d = config.driver(driver).orElse(new DriverConf(driver, 0, Map.of(), List.of()));
    boolean exists = d.targets().stream().anyMatch(t -> t.name().equals(name));
    if (cmd.info == ADD_TARGET) {
      if (exists) {
        throw new ManagementException("target " + name + " exists already in driver " + driver);
      }
      Map<String, Value> attributes = new LinkedHashMap<>();
      cmd.parameters.forEach((k, v) -> attributes.put(k, new Value(v, 0)));
      done = "target " + name + " added to driver " + driver;
      return config.withDriver(d.withTarget(name, new TargetConf(name, 0,
          Map.copyOf(attributes), List.of(), List.of())));
    }
    cmd.onlyParameters();
    if (!exists) {
      throw new ManagementException("driver " + driver + " has no target " + name);
    }
    done = "target " + name + " removed from driver " + driver;
    Config out = config.withDriver(d.withTarget(name, null));
    return out.withDeviceGroups(out.deviceGroups().stream().map(g -> {
      DeviceGroupConf changed = g;
      for (TargetGroupConf t : g.targetGroups()) {
        changed = changed.withTargetGroup(t.name(), t.withTargets(t.targets().stream()
            .filter(x -> !(x.name().equals(name) && x.relTgtId() == 0)).toList()));
      }
      return changed;
    }).toList());
  }

  private Config lunsCommand(List<String> p, Command cmd) {
    String driver = p.get(1);
    String target = p.get(2);
    boolean group = p.get(3).equals("ini_groups");
    String where = "target " + target + (group ? " group " + p.get(4) : "");
    UnaryOperator<List<LunConf>> edit = switch (cmd.info.name()) {
      case "clear" -> {
        cmd.words(0);
        done = "every LUN of " + where + " removed";
        yield luns -> List.of();
      }
      case "del" -> {
        long n = lunNumber(cmd, cmd.words(1).get(0));
        done = "LUN " + n + " of " + where + " removed";
        yield luns -> {
          if (luns.stream().noneMatch(l -> l.lun() == n)) {
            throw new ManagementException(where + " has no LUN " + n);
          }
          return luns.stream().filter(l -> l.lun() != n).toList();
        };
      }
      default -> {
        List<String> w = cmd.words(2);
        cmd.onlyParameters("read_only");
        long n = lunNumber(cmd, w.get(0));
        boolean readOnly = cmd.parameters.containsKey("read_only")
            && "1".equals(canonical(LUN_READ_ONLY, cmd.parameters.get("read_only")));
        boolean replace = cmd.info.name().equals("replace");
        done = "LUN " + n + " of " + where + (replace ? " now gives access to " : " added for ")
            + "device " + w.get(1);
        yield luns -> {
          boolean exists = luns.stream().anyMatch(l -> l.lun() == n);
          if (exists && !replace) {
            throw new ManagementException(where + " has LUN " + n + " already; replace "
                + n + " " + w.get(1) + " changes its device");
          }
          if (!exists && replace) {
            throw new ManagementException(where + " has no LUN " + n + " to replace; add "
                + n + " " + w.get(1) + " adds it");
          }
          List<LunConf> out = new ArrayList<>(luns.stream().filter(l -> l.lun() != n)
              .toList());
          out.add(new LunConf(n, w.get(1), 0, readOnly));
          out.sort(java.util.Comparator.comparingLong(LunConf::lun));
          return out;
        };
      }
    };
    if (group) {
      return withTarget(driver, target, t -> {
        GroupConf g = t.groups().stream().filter(x -> x.name().equals(p.get(4))).findFirst()
            .orElseThrow();
        return t.withGroup(g.name(), g.withLuns(edit.apply(g.luns())));
      });
    }
    return withTarget(driver, target, t -> t.withLuns(edit.apply(t.luns())));
  }

  private static long lunNumber(Command cmd, String text) {
    try {
      long n = Long.parseLong(text);
      if (n >= 0 && n <= 16383) {
        return n;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw cmd.wrong("LUN '" + text + "' is not a number from 0 to 16383");
  }

  private static String canonical(AttributeDescriptor a, String value) {
    try {
      return a.canonical(value);
    } catch (IllegalArgumentException e) {
      throw new ManagementException(e.getMessage());
    }
  }

  private Config groupsCommand(String driver, String target, Command cmd) {
    String name = cmd.name();
    cmd.onlyParameters();
    return withTarget(driver, target, t -> {
      boolean exists = t.groups().stream().anyMatch(g -> g.name().equals(name));
      if (cmd.info.name().equals("create")) {
        if (exists) {
          throw new ManagementException("target " + target + " has group " + name + " already");
        }
        done = "group " + name + " created in target " + target;
        return t.withGroup(name, new GroupConf(name, 0, List.of(), List.of()));
      }
      if (!exists) {
        throw new ManagementException("target " + target + " has no group " + name);
      }
      done = "group " + name + " of target " + target + " removed";
      return t.withGroup(name, null);
    });
  }

  private Config initiatorsCommand(String driver, String target, String group, Command cmd) {
    cmd.onlyParameters();
    return withTarget(driver, target, t -> {
      GroupConf g = t.groups().stream().filter(x -> x.name().equals(group)).findFirst()
          .orElseThrow();
      List<String> initiators = new ArrayList<>(g.initiators());
      switch (cmd.info.name()) {
        case "clear" -> {
          cmd.words(0);
          done = "every initiator of group " + group + " removed";
          return t.withGroup(group, g.withInitiators(List.of()));
        }
        case "add" -> {
          String i = cmd.words(1).get(0);
          t.groups().stream().filter(x -> x.initiators().contains(i)).findFirst()
              .ifPresent(x -> {
                throw new ManagementException("initiator " + i + " is in group " + x.name()
                    + " of target " + target + " already" + (x.name().equals(group) ? ""
                    : "; move " + i + " " + group + " on that group's initiators moves it"));
              });
          initiators.add(i);
          done = "initiator " + i + " added to group " + group;
          return t.withGroup(group, g.withInitiators(initiators));
        }
        case "del" -> {
          String i = cmd.words(1).get(0);
          if (!initiators.remove(i)) {
            throw new ManagementException("group " + group + " has no initiator " + i);
          }
          done = "initiator " + i + " removed from group " + group;
          return t.withGroup(group, g.withInitiators(initiators));
        }
        default -> {
          List<String> w = cmd.words(2);
          String i = w.get(0);
          GroupConf to = t.groups().stream().filter(x -> x.name().equals(w.get(1)))
              .findFirst().orElseThrow(() -> new ManagementException("target " + target
                  + " has no group " + w.get(1) + " to move " + i + " to"));
          if (!initiators.remove(i)) {
            throw new ManagementException("group " + group + " has no initiator " + i);
          }
          List<String> moved = new ArrayList<>(to.initiators());
          moved.add(i);
          done = "initiator " + i + " moved from group " + group + " to " + to.name();
          return t.withGroup(group, g.withInitiators(initiators))
              .withGroup(to.name(), to.withInitiators(moved));
        }
      }
    });
  }

  private Config deviceGroupsCommand(Command cmd) {
    String name = cmd.name();
    cmd.onlyParameters();
    List<DeviceGroupConf> groups = new ArrayList<>(config.deviceGroups());
    boolean exists = groups.stream().anyMatch(g -> g.name().equals(name));
    if (cmd.info.name().equals("create")) {
      if (exists) {
        throw new ManagementException("device group " + name + " exists already");
      }
      groups.add(new DeviceGroupConf(name, 0, List.of(), List.of()));
      done = "device group " + name + " created";
    } else {
      if (!exists) {
        throw new ManagementException("no device group " + name);
      }
      groups.removeIf(g -> g.name().equals(name));
      done = "device group " + name + " removed";
    }
    return config.withDeviceGroups(groups);
  }

  private Config dgDevicesCommand(String dg, Command cmd) {
    String device = cmd.words(1).get(0);
    cmd.onlyParameters();
    return withDeviceGroup(dg, g -> {
      List<String> devices = new ArrayList<>(g.devices());
      if (cmd.info.name().equals("add")) {
        if (devices.contains(device)) {
          throw new ManagementException("device group " + dg + " has device " + device
              + " already");
        }
        devices.add(device);
        done = "device " + device + " added to device group " + dg;
      } else {
        if (!devices.remove(device)) {
          throw new ManagementException("device group " + dg + " has no device " + device);
        }
        done = "device " + device + " removed from device group " + dg;
      }
      return g.withDevices(devices);
    });
  }

  private Config targetGroupsCommand(String dg, Command cmd) {
    String name = cmd.name();
    return withDeviceGroup(dg, g -> {
      boolean exists = g.targetGroups().stream().anyMatch(t -> t.name().equals(name));
      if (cmd.info.name().equals("add")) {
        cmd.onlyParameters("group_id");
        if (exists) {
          throw new ManagementException("device group " + dg + " has target group " + name
              + " already");
        }
        int id;
        if (cmd.parameters.containsKey("group_id")) {
          id = (int) integer(cmd, "group_id", 1, 65535);
        } else {
          java.util.Set<Integer> taken = new java.util.HashSet<>();
          g.targetGroups().forEach(t -> taken.add(t.groupId()));
          id = 1;
          while (taken.contains(id)) {
            id++;
          }
        }
        done = "target group " + name + " (group_id " + id + ") added to device group " + dg;
        return g.withTargetGroup(name, new TargetGroupConf(name, 0, id, Alua.State.ACTIVE,
            false, List.of()));
      }
      cmd.onlyParameters();
      if (!exists) {
        throw new ManagementException("device group " + dg + " has no target group " + name);
      }
      done = "target group " + name + " removed from device group " + dg;
      return g.withTargetGroup(name, null);
    });
  }

  private static long integer(Command cmd, String name, long min, long max) {
    try {
      long n = Long.parseLong(cmd.parameters.get(name));
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw cmd.wrong(name + " must be a number from " + min + " to " + max);
  }

  private Config targetGroupCommand(String dg, String tg, Command cmd) {
    String target = cmd.words(1).get(0);
    return withTargetGroup(dg, tg, t -> {
      List<TargetPortConf> ports = new ArrayList<>(t.targets());
      boolean exists = ports.stream().anyMatch(x -> x.name().equals(target));
      if (cmd.info.name().equals("add")) {
        cmd.onlyParameters(Config.REL_TGT_ID);
        if (exists) {
          throw new ManagementException("target group " + tg + " has target " + target
              + " already");
        }
        int rel = cmd.parameters.containsKey(Config.REL_TGT_ID)
            ? (int) integer(cmd, Config.REL_TGT_ID, 1, 65535) : 0;
        ports.add(new TargetPortConf(target, 0, rel));
        done = "target " + target + " added to target group " + tg;
      } else {
        cmd.onlyParameters();
        if (!ports.removeIf(x -> x.name().equals(target))) {
          throw new ManagementException("target group " + tg + " has no target " + target);
        }
        done = "target " + target + " removed from target group " + tg;
      }
      return t.withTargets(ports);
    });
  }

  private Config withTarget(String driver, String target, UnaryOperator<TargetConf> edit) {
    DriverConf d = config.driver(driver).orElseThrow();
    TargetConf t = config.target(driver, target).orElseThrow();
    return config.withDriver(d.withTarget(target, edit.apply(t)));
  }

  private Config withDeviceGroup(String dg, UnaryOperator<DeviceGroupConf> edit) {
    return config.withDeviceGroups(config.deviceGroups().stream()
        .map(g -> g.name().equals(dg) ? edit.apply(g) : g).toList());
  }

  private Config withTargetGroup(String dg, String tg, UnaryOperator<TargetGroupConf> edit) {
    return withDeviceGroup(dg, g -> g.withTargetGroup(tg, edit.apply(g.targetGroups().stream()
        .filter(t -> t.name().equals(tg)).findFirst().orElseThrow())));
  }
}
