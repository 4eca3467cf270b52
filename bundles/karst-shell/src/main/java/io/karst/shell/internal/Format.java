package io.karst.shell.internal;

import java.util.Locale;

/** How the commands print values: sizes in binary units, flags as yes and no. */
final class Format {

  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

  private Format() {}

  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    int unit = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
    return String.format(Locale.ROOT, "%.1f %s", bytes / (double) (1L << (unit * 10)),
        UNITS[unit]);
  }

  static String yesNo(boolean b) {
    return b ? "yes" : "no";
  }
}
