package io.karst.shell.internal;

import io.karst.api.mgmt.AttributeDescriptor;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** How the commands print values: sizes in binary units, flags as yes and no. */
final class Format {

  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

  private Format() {}

  /**
   * A byte count in the largest binary unit that leaves at least 1, to one decimal: "512 B",
   * "1.5 KiB", "1.0 GiB". A value that would round up to 1024.0 moves to the next unit.
   */
  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    int unit = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
    double value = bytes / Math.pow(1024, unit);
    if (value >= 1023.95 && unit < UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
  }

  static String yesNo(boolean b) {
    return b ? "yes" : "no";
  }

  /**
   * Attributes as {@code name=value} pairs sorted by name, leaving out the given names; the
   * values of a multi-valued attribute are separated by commas.
   */
  static String attributes(Map<String, String> attributes, String... omitted) {
    Set<String> skip = Set.of(omitted);
    return attributes.entrySet().stream()
        .filter(e -> !skip.contains(e.getKey()))
        .sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + "=" + String.join(", ",
            AttributeDescriptor.values(e.getValue())))
        .collect(Collectors.joining(" "));
  }

  /** Text that may be null, as the empty string rather than "null". */
  static String text(String s) {
    return s == null ? "" : s;
  }
}
