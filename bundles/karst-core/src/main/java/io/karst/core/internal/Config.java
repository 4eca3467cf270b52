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

  record DeviceConf(String name, String handler, int line, Map<String, Value> attributes) {}

  record DriverConf(String name, int line, Map<String, Value> attributes, List<TargetConf> targets) {
    boolean enabled() {
      Value v = attributes.get("enabled");
      return v != null && v.text().equals("1");
    }
  }

  record TargetConf(
      String name,
      int line,
      Map<String, Value> attributes,
      List<LunConf> luns,
      List<GroupConf> groups) {
    boolean enabled() {
      Value v = attributes.get("enabled");
      return v != null && v.text().equals("1");
    }
  }

  /** An initiator group: the initiators whose names match its patterns see its LUNs. */
  record GroupConf(String name, int line, List<LunConf> luns, List<String> initiators) {}

  record LunConf(long lun, String device, int line, boolean readOnly) {}

  /** An ALUA device group (SCST's DEVICE_GROUP): devices that share target port groups. */
  record DeviceGroupConf(String name, int line, List<String> devices,
      List<TargetGroupConf> targetGroups) {}

  /**
   * A target port group of a device group (SCST's TARGET_GROUP): its identifier, its
   * asymmetric access state, and the target ports in it.
   */
  record TargetGroupConf(String name, int line, int groupId, Alua.State state,
      boolean preferred, List<TargetPortConf> targets) {}

  /**
   * A target port of a target group: a target of this server, or one of another system of the
   * cluster, named with its relative port identifier (0: a local target's own).
   */
  record TargetPortConf(String name, int line, int relTgtId) {}
}
