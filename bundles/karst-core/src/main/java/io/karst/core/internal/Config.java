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

  /** A value as written and the line it came from, so later checks can name the line. */
  record Value(String text, int line) {}

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
