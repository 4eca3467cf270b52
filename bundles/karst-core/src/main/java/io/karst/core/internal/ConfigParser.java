package io.karst.core.internal;

import io.karst.core.internal.Config.DeviceConf;
import io.karst.core.internal.Config.DeviceGroupConf;
import io.karst.core.internal.Config.DriverConf;
import io.karst.core.internal.Config.GroupConf;
import io.karst.core.internal.Config.HandlerConf;
import io.karst.core.internal.Config.LunConf;
import io.karst.core.internal.Config.TargetConf;
import io.karst.core.internal.Config.TargetGroupConf;
import io.karst.core.internal.Config.TargetPortConf;
import io.karst.core.internal.Config.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads SCST's scst.conf syntax (scst.conf(5)): nested {@code KEYWORD name { ... }} blocks,
 * {@code attribute value} lines and {@code #} comments.
 *
 * <pre>
 * HANDLER vdisk_fileio {
 *     DEVICE disk0 {
 *         filename disk0.img
 *     }
 * }
 * TARGET_DRIVER iscsi {
 *     enabled 1
 *     TARGET iqn.2026-11.io.karst:default {
 *         enabled 1
 *         LUN 0 disk0
 *         GROUP hosts {
 *             LUN 0 disk0 { read_only 1 }
 *             INITIATOR iqn.1993-08.org.debian:*
 *         }
 *     }
 * }
 * </pre>
 *
 * <p>Every error names the source and line. SCST's ALUA blocks ({@code DEVICE_GROUP} with its
 * {@code DEVICE}s and {@code TARGET_GROUP}s) are read as SCST writes them; what Karst reads but
 * does not act on is listed in {@link #warnings()} rather than refused, so that an SCST user's
 * file loads.
 */
final class ConfigParser {

  private static final Set<String> BLOCKS =
      Set.of("HANDLER", "DEVICE", "TARGET_DRIVER", "TARGET", "LUN", "GROUP", "INITIATOR",
          "DEVICE_GROUP", "TARGET_GROUP");
  private static final long MAX_LUN = 16383;

  private final String source;
  private final List<String> warnings = new ArrayList<>();

  /** A parsed block: its keyword, arguments, attributes and nested blocks. */
  private record Node(
      String keyword, List<String> args, int line, Map<String, Value> attributes,
      List<Node> children) {
    Node(String keyword, List<String> args, int line) {
      this(keyword, args, line, new LinkedHashMap<>(), new ArrayList<>());
    }
  }

  ConfigParser(String source) {
    this.source = source;
  }

  /** What the file holds that Karst reads but does not act on yet. */
  List<String> warnings() {
    return warnings;
  }

  Config parse(String text) throws ConfigException {
    Node root = tree(text);
    List<HandlerConf> handlers = new ArrayList<>();
    List<DriverConf> drivers = new ArrayList<>();
    List<DeviceGroupConf> deviceGroups = new ArrayList<>();
    for (Node n : root.children()) {
      switch (n.keyword()) {
        case "HANDLER" -> handlers.add(handler(n));
        case "TARGET_DRIVER" -> drivers.add(driver(n));
        case "DEVICE_GROUP" -> deviceGroups.add(deviceGroup(n));
        default -> throw error(n.line(), n.keyword() + " is not allowed at the top level");
      }
    }
    // SCST's global attributes (setup_id, the trace levels) tune its kernel modules; Karst has
    // none, and an SCST user's file still loads.
    root.attributes().forEach((k, v) -> warnings.add(at(v.line(), "attribute " + k
        + " of SCST's core has no meaning in Karst; ignored")));
    Config c = new Config(List.copyOf(handlers), List.copyOf(drivers), List.copyOf(deviceGroups));
    validate(c);
    return c;
  }

  /**
   * Checks what holds a configuration together, whether read from a file or changed by
   * management: names unique where they must be, LUN numbers unique in their map, LUNs and
   * device groups naming devices that exist, relative target port identifiers unique.
   */
  void validate(Config c) throws ConfigException {
    Map<String, DeviceConf> devices = new HashMap<>();
    Set<String> handlerNames = new HashSet<>();
    for (HandlerConf h : c.handlers()) {
      if (!handlerNames.add(h.name())) {
        throw error(h.line(), "HANDLER " + h.name() + " appears twice");
      }
      for (DeviceConf d : h.devices()) {
        DeviceConf before = devices.putIfAbsent(d.name(), d);
        if (before != null) {
          throw error(d.line(), "device " + d.name() + " is already defined"
              + (before.line() > 0 ? " on line " + before.line() : ""));
        }
      }
    }
    Set<String> driverNames = new HashSet<>();
    for (DriverConf d : c.drivers()) {
      if (!driverNames.add(d.name())) {
        throw error(d.line(), "TARGET_DRIVER " + d.name() + " appears twice");
      }
      Set<String> targets = new HashSet<>();
      for (TargetConf t : d.targets()) {
        if (!targets.add(t.name())) {
          throw error(t.line(), "TARGET " + t.name() + " appears twice in " + d.name());
        }
        unique(t.luns(), "TARGET " + t.name());
        checkLuns(t.luns(), devices);
        Set<String> groups = new HashSet<>();
        for (GroupConf g : t.groups()) {
          if (!groups.add(g.name())) {
            throw error(g.line(), "GROUP " + g.name() + " appears twice in TARGET " + t.name());
          }
          unique(g.luns(), "GROUP " + g.name());
          checkLuns(g.luns(), devices);
        }
      }
    }
    checkRelativeTargetPortIds(c.drivers());
    checkDeviceGroups(c.deviceGroups(), devices);
  }

  private HandlerConf handler(Node n) throws ConfigException {
    String handler = name(n);
    rejectAttributes(n, "HANDLER " + handler);
    List<DeviceConf> list = new ArrayList<>();
    for (Node c : n.children()) {
      expect(c, "DEVICE", "HANDLER");
      String name = name(c);
      if (!c.children().isEmpty()) {
        throw error(c.children().get(0).line(), "DEVICE " + name + " holds no blocks");
      }
      list.add(new DeviceConf(name, handler, c.line(), Map.copyOf(c.attributes())));
    }
    return new HandlerConf(handler, n.line(), List.copyOf(list));
  }

  private DriverConf driver(Node n) throws ConfigException {
    String driver = name(n);
    List<TargetConf> targets = new ArrayList<>();
    for (Node c : n.children()) {
      expect(c, "TARGET", "TARGET_DRIVER");
      targets.add(target(c));
    }
    checkBoolean(n, "enabled");
    return new DriverConf(driver, n.line(), Map.copyOf(n.attributes()), List.copyOf(targets));
  }

  private TargetConf target(Node n) throws ConfigException {
    String name = name(n);
    List<LunConf> luns = new ArrayList<>();
    List<GroupConf> groups = new ArrayList<>();
    for (Node c : n.children()) {
      switch (c.keyword()) {
        case "LUN" -> luns.add(lun(c));
        case "GROUP" -> groups.add(group(c));
        default -> throw error(c.line(), c.keyword() + " is not allowed in TARGET " + name);
      }
    }
    checkBoolean(n, "enabled");
    return new TargetConf(
        name, n.line(), Map.copyOf(n.attributes()), List.copyOf(luns), List.copyOf(groups));
  }

  private void checkRelativeTargetPortIds(List<DriverConf> drivers) throws ConfigException {
    Map<Integer, String> seen = new HashMap<>();
    for (DriverConf d : drivers) {
      for (TargetConf t : d.targets()) {
        Value v = t.attributes().get(Config.REL_TGT_ID);
        if (v == null) {
          continue;
        }
        int id = number(v, Config.REL_TGT_ID, 1, 65535);
        String before = seen.putIfAbsent(id, t.name());
        if (before != null) {
          throw error(v.line(), "rel_tgt_id " + id + " of TARGET " + t.name()
              + " is already the one of TARGET " + before);
        }
      }
    }
  }

  /** DEVICE_GROUP: DEVICE lines and TARGET_GROUP blocks (ALUA, as SCST writes them). */
  private DeviceGroupConf deviceGroup(Node n) throws ConfigException {
    String name = name(n);
    rejectAttributes(n, "DEVICE_GROUP " + name);
    List<String> devices = new ArrayList<>();
    List<TargetGroupConf> groups = new ArrayList<>();
    for (Node c : n.children()) {
      switch (c.keyword()) {
        case "DEVICE" -> {
          if (!c.children().isEmpty() || !c.attributes().isEmpty()) {
            throw error(c.line(), "DEVICE " + name(c) + " in DEVICE_GROUP " + name
                + " only names a device; its attributes belong in its HANDLER");
          }
          devices.add(name(c));
        }
        case "TARGET_GROUP" -> groups.add(targetGroup(c));
        default -> throw error(c.line(), c.keyword() + " is not allowed in DEVICE_GROUP " + name
            + " (only DEVICE and TARGET_GROUP)");
      }
    }
    return new DeviceGroupConf(name, n.line(), List.copyOf(devices), List.copyOf(groups));
  }

  private TargetGroupConf targetGroup(Node n) throws ConfigException {
    String name = name(n);
    Value id = n.attributes().get("group_id");
    if (id == null) {
      throw error(n.line(), "TARGET_GROUP " + name + " needs a group_id (1 to 65535)");
    }
    Alua.State state = Alua.State.ACTIVE;
    boolean preferred = false;
    for (var e : n.attributes().entrySet()) {
      switch (e.getKey()) {
        case "group_id" -> { }
        case "state" -> state = Alua.State.named(e.getValue().text()).orElseThrow(() -> error(
            e.getValue().line(), "state '" + e.getValue().text() + "' is not one of "
                + Alua.State.names()));
        case "preferred" -> preferred = bool(e.getValue(), "preferred");
        default -> throw error(e.getValue().line(), "TARGET_GROUP has no attribute "
            + e.getKey() + " (it has group_id, state and preferred)");
      }
    }
    List<TargetPortConf> targets = new ArrayList<>();
    for (Node c : n.children()) {
      expect(c, "TARGET", "TARGET_GROUP " + name);
      String target = name(c);
      int rel = 0;
      for (var e : c.attributes().entrySet()) {
        if (!e.getKey().equals(Config.REL_TGT_ID)) {
          throw error(e.getValue().line(), "TARGET in a TARGET_GROUP has no attribute "
              + e.getKey() + " (it has rel_tgt_id)");
        }
        rel = number(e.getValue(), Config.REL_TGT_ID, 1, 65535);
      }
      targets.add(new TargetPortConf(target, c.line(), rel));
    }
    return new TargetGroupConf(name, n.line(), number(id, "group_id", 1, 65535), state,
        preferred, List.copyOf(targets));
  }

  private void checkDeviceGroups(List<DeviceGroupConf> groups, Map<String, DeviceConf> devices)
      throws ConfigException {
    Map<String, String> member = new HashMap<>();
    Set<String> names = new HashSet<>();
    for (DeviceGroupConf g : groups) {
      if (!names.add(g.name())) {
        throw error(g.line(), "DEVICE_GROUP " + g.name() + " appears twice");
      }
      for (String d : g.devices()) {
        if (!devices.containsKey(d)) {
          throw error(g.line(), "DEVICE_GROUP " + g.name() + " names unknown device " + d);
        }
        String before = member.putIfAbsent(d, g.name());
        if (before != null) {
          throw error(g.line(), "device " + d + " is already in DEVICE_GROUP " + before);
        }
      }
      Map<Integer, TargetGroupConf> ids = new HashMap<>();
      Map<String, TargetPortConf> ports = new HashMap<>();
      for (TargetGroupConf t : g.targetGroups()) {
        TargetGroupConf other = ids.putIfAbsent(t.groupId(), t);
        if (other != null) {
          throw error(t.line(), "group_id " + t.groupId() + " of TARGET_GROUP " + t.name()
              + " is already the one of TARGET_GROUP " + other.name()
              + (other.line() > 0 ? " on line " + other.line() : ""));
        }
        for (TargetPortConf p : t.targets()) {
          TargetPortConf in = ports.putIfAbsent(p.name(), p);
          if (in != null) {
            throw error(p.line(), "TARGET " + p.name() + " is already in a target group of "
                + "DEVICE_GROUP " + g.name() + (in.line() > 0 ? " on line " + in.line() : ""));
          }
        }
      }
    }
  }

  private int number(Value v, String attribute, int min, int max) throws ConfigException {
    try {
      int n = Integer.parseInt(v.text());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw error(v.line(), attribute + " must be a number from " + min + " to " + max + ", not '"
        + v.text() + "'");
  }

  private GroupConf group(Node n) throws ConfigException {
    String name = name(n);
    // SCST's group attributes (addr_method, cpu_mask) tune its kernel; Karst has none.
    n.attributes().forEach((k, v) -> warnings.add(at(v.line(), "attribute " + k + " of GROUP "
        + name + " has no meaning in Karst; ignored")));
    List<LunConf> luns = new ArrayList<>();
    List<String> initiators = new ArrayList<>();
    for (Node c : n.children()) {
      switch (c.keyword()) {
        case "LUN" -> luns.add(lun(c));
        case "INITIATOR" -> initiators.add(name(c));
        default -> throw error(c.line(), c.keyword() + " is not allowed in GROUP " + name);
      }
    }
    return new GroupConf(name, n.line(), List.copyOf(luns), List.copyOf(initiators));
  }

  private LunConf lun(Node n) throws ConfigException {
    if (n.args().size() != 2) {
      throw error(n.line(), "LUN needs a number and a device: LUN <n> <device>");
    }
    long lun;
    try {
      lun = Long.parseLong(n.args().get(0));
    } catch (NumberFormatException e) {
      lun = -1;
    }
    if (lun < 0 || lun > MAX_LUN) {
      throw error(n.line(), "LUN '" + n.args().get(0) + "' is not a number from 0 to " + MAX_LUN);
    }
    boolean readOnly = false;
    for (var e : n.attributes().entrySet()) {
      e.getValue().once(source, e.getKey());
      if (!e.getKey().equals("read_only")) {
        throw error(e.getValue().line(), "LUN has no attribute " + e.getKey()
            + " (it has read_only)");
      }
      readOnly = bool(e.getValue(), "read_only");
    }
    return new LunConf(lun, n.args().get(1), n.line(), readOnly);
  }

  private void unique(List<LunConf> luns, String where) throws ConfigException {
    Map<Long, LunConf> seen = new HashMap<>();
    for (LunConf l : luns) {
      LunConf before = seen.putIfAbsent(l.lun(), l);
      if (before != null) {
        throw error(l.line(), "LUN " + l.lun() + " of " + where + " is already defined on line "
            + before.line());
      }
    }
  }

  private void checkLuns(List<LunConf> luns, Map<String, DeviceConf> devices)
      throws ConfigException {
    for (LunConf l : luns) {
      if (!devices.containsKey(l.device())) {
        throw error(l.line(), "LUN " + l.lun() + " refers to unknown device " + l.device());
      }
    }
  }

  private void checkBoolean(Node n, String attribute) throws ConfigException {
    Value v = n.attributes().get(attribute);
    if (v != null) {
      v.once(source, attribute);
      n.attributes().put(attribute, new Value(bool(v, attribute) ? "1" : "0", v.line()));
    }
  }

  private boolean bool(Value v, String attribute) throws ConfigException {
    return switch (v.text()) {
      case "1", "yes", "true", "on" -> true;
      case "0", "no", "false", "off" -> false;
      default -> throw error(v.line(), attribute + " must be 0 or 1, not '" + v.text() + "'");
    };
  }

  private void expect(Node n, String keyword, String parent) throws ConfigException {
    if (!n.keyword().equals(keyword)) {
      throw error(n.line(), n.keyword() + " is not allowed in " + parent + " (only " + keyword
          + ")");
    }
  }

  private void rejectAttributes(Node n, String where) throws ConfigException {
    for (var e : n.attributes().entrySet()) {
      throw error(e.getValue().line(), "attribute " + e.getKey() + " is not allowed in " + where);
    }
  }

  private String name(Node n) throws ConfigException {
    if (n.args().size() != 1) {
      throw error(n.line(), n.keyword() + " needs exactly one name");
    }
    return n.args().get(0);
  }

  /** Builds the block tree, checking braces and the shape of each line. */
  private Node tree(String text) throws ConfigException {
    Node root = new Node("", List.of(), 0);
    List<Node> stack = new ArrayList<>(List.of(root));
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int line = i + 1;
      List<String> tokens = tokens(lines[i], line);
      while (!tokens.isEmpty()) {
        Node top = stack.get(stack.size() - 1);
        String first = tokens.get(0);
        if (first.equals("}")) {
          if (stack.size() == 1) {
            throw error(line, "'}' closes nothing");
          }
          stack.remove(stack.size() - 1);
          tokens = tokens.subList(1, tokens.size());
          continue;
        }
        int open = tokens.indexOf("{");
        int close = tokens.indexOf("}");
        int end = close < 0 ? tokens.size() : close;
        if (open >= 0 && open < end) {
          end = open;
        }
        List<String> statement = tokens.subList(0, end);
        if (BLOCKS.contains(first)) {
          if (statement.size() < 2) {
            throw error(line, first + " needs a name");
          }
          Node child = new Node(first, List.copyOf(statement.subList(1, statement.size())), line);
          top.children().add(child);
          if (open == end) {
            stack.add(child);
            end++;
          }
        } else if (open == end) {
          throw error(line, "'{' after '" + String.join(" ", statement)
              + "': only HANDLER, DEVICE, TARGET_DRIVER, TARGET, GROUP and LUN open a block");
        } else {
          if (statement.size() < 2) {
            throw error(line, "attribute " + first + " has no value");
          }
          // Attribute names are lower case (enabled) or, for SCST's iSCSI ones, mixed case
          // (IncomingUser); a word in capitals is a keyword, and this one is unknown.
          if (!first.matches("[A-Za-z0-9_.-]+")) {
            throw error(line, "'" + first + "' is neither a keyword nor an attribute name");
          }
          if (first.equals(first.toUpperCase()) && first.chars().anyMatch(Character::isLetter)) {
            throw error(line, "unknown keyword " + first);
          }
          // Whether the attribute may repeat is its owner's to say (a multi-valued one such as
          // IncomingUser), so every occurrence is kept and checked against its descriptor.
          Value value = new Value(String.join(" ", statement.subList(1, statement.size())), line);
          top.attributes().merge(first, value, Value::repeated);
        }
        tokens = tokens.subList(end, tokens.size());
      }
    }
    if (stack.size() > 1) {
      Node open = stack.get(stack.size() - 1);
      throw error(open.line(), open.keyword() + " " + String.join(" ", open.args())
          + " is not closed: a '}' is missing");
    }
    return root;
  }

  /**
   * Splits a line into words, braces and double-quoted strings. An unescaped {@code #} starts
   * a comment; a backslash makes the next character literal ({@code \#}, {@code \"},
   * {@code \\}) and is removed, inside quotes too.
   */
  private List<String> tokens(String line, int number) throws ConfigException {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '#') {
        break;
      } else if (c == '{' || c == '}') {
        out.add(String.valueOf(c));
        i++;
      } else {
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        while (i < line.length()) {
          char d = line.charAt(i);
          if (d == '\\') {
            if (i + 1 == line.length()) {
              throw error(number, "a backslash ends the line: nothing follows it to escape");
            }
            word.append(line.charAt(i + 1));
            i += 2;
          } else if (d == '"') {
            quoted = !quoted;
            i++;
          } else if (!quoted && (Character.isWhitespace(d) || d == '{' || d == '}' || d == '#')) {
            break;
          } else {
            word.append(d);
            i++;
          }
        }
        if (quoted) {
          throw error(number, "a quoted value is not closed: a '\"' is missing");
        }
        out.add(word.toString());
      }
    }
    return out;
  }

  private String at(int line, String message) {
    return source + (line > 0 ? ":" + line : "") + ": " + message;
  }

  ConfigException error(int line, String message) {
    return new ConfigException(at(line, message));
  }
}
