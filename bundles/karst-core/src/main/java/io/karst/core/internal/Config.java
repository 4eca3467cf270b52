package io.karst.core.internal;

import java.util.List;
import java.util.Map;

/**
 * The configuration as read from the file: what should exist, independent of which drivers and
 * handlers are registered now. Attribute values are kept as written; they are checked against
 * the descriptors of their driver or handler when it registers, because the file may name a
 * driver or handler whose bundle is not there yet.
 */
record Config(List<HandlerConf> handlers, List<DriverConf> drivers,
    List<DeviceGroupConf> deviceGroups) {

  static final Config EMPTY = new Config(List.of(), List.of(), List.of());

  // Edits: management changes the configuration by building a new one with these.

  java.util.Optional<DeviceConf> device(String name) {
    return handlers.stream().flatMap(h -> h.devices().stream())
        .filter(d -> d.name().equals(name)).findFirst();
  }

  java.util.Optional<DriverConf> driver(String name) {
    return drivers.stream().filter(d -> d.name().equals(name)).findFirst();
  }

  java.util.Optional<TargetConf> target(String driver, String name) {
    return driver(driver).flatMap(d -> d.targets().stream()
        .filter(t -> t.name().equals(name)).findFirst());
  }

  /** With the device in its handler's block, in place of one of the same name if any. */
  Config withDevice(DeviceConf device) {
    boolean inPlace = device(device.name()).map(d -> d.handler().equals(device.handler()))
        .orElse(false);
    List<HandlerConf> hs = new java.util.ArrayList<>();
    boolean placed = false;
    for (HandlerConf h : (inPlace ? this : without(device.name())).handlers) {
      if (h.name().equals(device.handler())) {
        h = new HandlerConf(h.name(), h.line(),
            replaced(h.devices(), d -> d.name().equals(device.name()), device));
        placed = true;
      }
      hs.add(h);
    }
    if (!placed) {
      hs.add(new HandlerConf(device.handler(), 0, List.of(device)));
    }
    return new Config(List.copyOf(hs), drivers, deviceGroups);
  }

  /** Without the device (its LUNs and group memberships are the caller's to remove first). */
  Config without(String device) {
    return new Config(handlers.stream().map(h -> new HandlerConf(h.name(), h.line(),
        h.devices().stream().filter(d -> !d.name().equals(device)).toList())).toList(),
        drivers, deviceGroups);
  }

  /** With the driver's block replaced, or added after the others. */
  Config withDriver(DriverConf driver) {
    List<DriverConf> ds = new java.util.ArrayList<>(drivers);
    int at = ds.indexOf(driver(driver.name()).orElse(null));
    if (at >= 0) {
      ds.set(at, driver);
    } else {
      ds.add(driver);
    }
    return new Config(handlers, List.copyOf(ds), deviceGroups);
  }

  Config withDeviceGroups(List<DeviceGroupConf> groups) {
    return new Config(handlers, drivers, List.copyOf(groups));
  }

  /** The list with the element matching {@code same} replaced by {@code by}, or appended. */
  static <T> List<T> replaced(List<T> list, java.util.function.Predicate<T> same, T by) {
    List<T> out = new java.util.ArrayList<>();
    boolean done = false;
    for (T t : list) {
      if (same.test(t)) {
        if (by != null) {
          out.add(by);
        }
        done = true;
      } else {
        out.add(t);
      }
    }
    if (!done && by != null) {
      out.add(by);
    }
    return List.copyOf(out);
  }

  /** The texts of an attribute as written, every occurrence. */
  static List<String> texts(Value v) {
    return v == null ? List.of() : v.all().stream().map(Value::text).toList();
  }

  /** Attributes with one set to values (one line each), or removed when there are none. */
  static Map<String, Value> with(Map<String, Value> attributes, String name,
      List<String> values) {
    Map<String, Value> out = new java.util.LinkedHashMap<>(attributes);
    out.remove(name);
    Value v = null;
    for (String text : values) {
      v = v == null ? new Value(text, 0) : v.repeated(new Value(text, 0));
    }
    if (v != null) {
      out.put(name, v);
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  /**
   * {@code attributes} with each of {@code names} as {@code from} has it instead (removed
   * where it has none): a change applied without force keeps that way what it cannot change
   * of an object that runs.
   */
  static Map<String, Value> overlaid(Map<String, Value> attributes, Map<String, Value> from,
      java.util.Collection<String> names) {
    Map<String, Value> out = new java.util.LinkedHashMap<>(attributes);
    for (String name : names) {
      out.remove(name);
      Value v = from.get(name);
      if (v != null) {
        out.put(name, v);
      }
    }
    return Map.copyOf(out);
  }

  /**
   * The relative target port identifier of every target (SPC-4 relative port), by target name:
   * its {@code rel_tgt_id} attribute where set, else the smallest free number from 1, in
   * configuration order, as SCST assigns them.
   */
  Map<String, Integer> relativeTargetPortIds() {
    Map<String, Integer> ids = new java.util.LinkedHashMap<>();
    java.util.Set<Integer> taken = new java.util.HashSet<>();
    for (DriverConf d : drivers) {
      for (TargetConf t : d.targets()) {
        Value v = t.attributes().get(REL_TGT_ID);
        if (v != null) {
          ids.put(t.name(), Integer.parseInt(v.text()));
          taken.add(Integer.parseInt(v.text()));
        }
      }
    }
    int next = 1;
    for (DriverConf d : drivers) {
      for (TargetConf t : d.targets()) {
        if (!ids.containsKey(t.name())) {
          while (taken.contains(next)) {
            next++;
          }
          ids.put(t.name(), next);
          taken.add(next);
        }
      }
    }
    return ids;
  }

  /** The target attribute that fixes a target's relative port identifier (SCST's name). */
  static final String REL_TGT_ID = "rel_tgt_id";

  /**
   * A value as written and the line it came from, so later checks can name the line; an
   * attribute written more than once keeps its later values in {@code repeats}, which only a
   * multi-valued attribute may have (see {@link #once}).
   */
  record Value(String text, int line, List<Value> repeats) {
    Value(String text, int line) {
      this(text, line, List.of());
    }

    /** This value with another occurrence of its attribute after it. */
    Value repeated(Value next) {
      List<Value> all = new java.util.ArrayList<>(repeats);
      all.add(next);
      return new Value(text, line, List.copyOf(all));
    }

    /** Every value in the order written. */
    List<Value> all() {
      List<Value> all = new java.util.ArrayList<>(List.of(this));
      all.addAll(repeats);
      return all;
    }

    /**
     * Checks that the attribute {@code name} was written once.
     *
     * @throws ConfigException naming the line of the second occurrence
     */
    Value once(String source, String name) throws ConfigException {
      if (!repeats.isEmpty()) {
        throw new ConfigException(source + ":" + repeats.get(0).line() + ": attribute " + name
            + " is already set on line " + line);
      }
      return this;
    }
  }

  record HandlerConf(String name, int line, List<DeviceConf> devices) {}

  record DeviceConf(String name, String handler, int line, Map<String, Value> attributes) {
    DeviceConf with(Map<String, Value> changed) {
      return new DeviceConf(name, handler, line, changed);
    }
  }

  record DriverConf(String name, int line, Map<String, Value> attributes, List<TargetConf> targets) {
    DriverConf with(Map<String, Value> changed) {
      return new DriverConf(name, line, changed, targets);
    }

    DriverConf withTarget(String target, TargetConf by) {
      return new DriverConf(name, line, attributes,
          replaced(targets, t -> t.name().equals(target), by));
    }

    boolean enabled() {
      return Config.enabled(attributes);
    }
  }

  /**
   * Whether an {@code enabled} attribute is on, in any spelling a boolean takes (the parser
   * writes 0 or 1; management commands may give yes, true or on).
   */
  static boolean enabled(Map<String, Value> attributes) {
    Value v = attributes.get("enabled");
    return v != null && List.of("1", "yes", "true", "on")
        .contains(v.text().trim().toLowerCase(java.util.Locale.ROOT));
  }

  record TargetConf(
      String name,
      int line,
      Map<String, Value> attributes,
      List<LunConf> luns,
      List<GroupConf> groups) {
    TargetConf with(Map<String, Value> changed) {
      return new TargetConf(name, line, changed, luns, groups);
    }

    TargetConf withLuns(List<LunConf> changed) {
      return new TargetConf(name, line, attributes, List.copyOf(changed), groups);
    }

    TargetConf withGroup(String group, GroupConf by) {
      return new TargetConf(name, line, attributes, luns,
          replaced(groups, g -> g.name().equals(group), by));
    }

    boolean enabled() {
      return Config.enabled(attributes);
    }
  }

  /** An initiator group: the initiators whose names match its patterns see its LUNs. */
  record GroupConf(String name, int line, List<LunConf> luns, List<String> initiators) {
    GroupConf withLuns(List<LunConf> changed) {
      return new GroupConf(name, line, List.copyOf(changed), initiators);
    }

    GroupConf withInitiators(List<String> changed) {
      return new GroupConf(name, line, luns, List.copyOf(changed));
    }
  }

  record LunConf(long lun, String device, int line, boolean readOnly) {}

  /** An ALUA device group (SCST's DEVICE_GROUP): devices that share target port groups. */
  record DeviceGroupConf(String name, int line, List<String> devices,
      List<TargetGroupConf> targetGroups) {
    DeviceGroupConf withDevices(List<String> changed) {
      return new DeviceGroupConf(name, line, List.copyOf(changed), targetGroups);
    }

    DeviceGroupConf withTargetGroup(String group, TargetGroupConf by) {
      return new DeviceGroupConf(name, line, devices,
          replaced(targetGroups, g -> g.name().equals(group), by));
    }
  }

  /**
   * A target port group of a device group (SCST's TARGET_GROUP): its identifier, its
   * asymmetric access state, and the target ports in it.
   */
  record TargetGroupConf(String name, int line, int groupId, Alua.State state,
      boolean preferred, List<TargetPortConf> targets) {
    TargetGroupConf withTargets(List<TargetPortConf> changed) {
      return new TargetGroupConf(name, line, groupId, state, preferred, List.copyOf(changed));
    }

    TargetGroupConf with(Alua.State changedState, boolean changedPreferred) {
      return new TargetGroupConf(name, line, groupId, changedState, changedPreferred, targets);
    }
  }

  /**
   * A target port of a target group: a target of this server, or one of another system of the
   * cluster, named with its relative port identifier (0: a local target's own).
   */
  record TargetPortConf(String name, int line, int relTgtId) {}
}
