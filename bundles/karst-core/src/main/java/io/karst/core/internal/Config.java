package io.karst.core.internal;

import java.util.List;
import java.util.Map;

/**
 * The configuration as read from the file: what should exist, independent of which drivers and
 * handlers are registered now. Attribute values are kept as written; they are checked against
 * the descriptors of their driver or handler when it registers, because the file may name a
 * driver or handler whose bundle is not there yet.
 */
record Config(List<HandlerConf> handlers, List<DriverConf> drivers) {

  static final Config EMPTY = new Config(List.of(), List.of());

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
}
