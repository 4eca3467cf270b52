package io.karst.core.internal;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Where a device's saved mode parameters live (SPC-4 6.9: MODE SELECT with SP): one text file
 * per device, {@code mode/<device>.mode} under core's data directory, named after the device as
 * the {@linkplain PrStore persistent reservation state} is, so that it survives any change to
 * the configuration but the device's name, and outlives the device's removal as that state
 * does. It is written as a {@link DurableFile}. A file that cannot be read is reported with its
 * path and moved aside, and the device starts with the default values.
 *
 * <pre>
 * wce 1                          (only when the backend can switch its write cache)
 * d_sense 0
 * swp 0
 * qerr 0                         (0, 1 or 3)
 * tas 0
 * exceptions 0800000000000000... (bytes 2 to 11 of the informational exceptions page)
 * </pre>
 */
final class ModeStore {

  private static final HexFormat HEX = HexFormat.of();

  /**
   * The saveable mode parameters: WCE of the caching page (null when the backend cannot
   * switch its cache: it is then as configured), D_SENSE, SWP, QERR and TAS of the control
   * page, and the informational exceptions control page's values.
   */
  record Values(Boolean writeCache, boolean descriptorSense, boolean softwareWriteProtect,
      int queueErrorManagement, boolean taskAbortedStatus, byte[] exceptions) {

    /** Equal values, the exceptions page's bytes compared by content. */
    @Override
    public boolean equals(Object o) {
      return o instanceof Values v && Objects.equals(writeCache, v.writeCache)
          && descriptorSense == v.descriptorSense
          && softwareWriteProtect == v.softwareWriteProtect
          && queueErrorManagement == v.queueErrorManagement
          && taskAbortedStatus == v.taskAbortedStatus && Arrays.equals(exceptions, v.exceptions);
    }

    @Override
    public int hashCode() {
      return Objects.hash(writeCache, descriptorSense, softwareWriteProtect,
          queueErrorManagement, taskAbortedStatus, Arrays.hashCode(exceptions));
    }
  }

  private final Path file;
  /** What was saved last, or null when nothing was. */
  private volatile Values saved;

  ModeStore(Path dataDirectory, String device) {
    this.file = dataDirectory.resolve("mode")
        .resolve(URLEncoder.encode(device, StandardCharsets.UTF_8) + ".mode");
    this.saved = load();
  }

  Path file() {
    return file;
  }

  /** The values last saved, or null when nothing was. */
  Values saved() {
    return saved;
  }

  private Values load() {
    return DurableFile.read(file, "saved mode parameters",
        "the device starts with the default values", ModeStore::parse);
  }

  private static Values parse(List<String> lines) {
    Boolean wce = null;
    Boolean dSense = null;
    Boolean swp = null;
    Integer qerr = null;
    Boolean tas = null;
    byte[] exceptions = null;
    int n = 0;
    for (String line : lines) {
      n++;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.trim().split(" +");
      try {
        if (f.length != 2) {
          throw new IllegalArgumentException("not a name and a value");
        }
        switch (f[0]) {
          case "wce" -> wce = bit(f[1]);
          case "d_sense" -> dSense = bit(f[1]);
          case "swp" -> swp = bit(f[1]);
          case "qerr" -> {
            qerr = Integer.parseInt(f[1]);
            if (qerr != 0 && qerr != 1 && qerr != 3) {
              throw new IllegalArgumentException("qerr " + f[1] + " is not 0, 1 or 3");
            }
          }
          case "tas" -> tas = bit(f[1]);
          case "exceptions" -> exceptions = InformationalExceptions.checked(HEX.parseHex(f[1]));
          default -> throw new IllegalArgumentException("unknown entry " + f[0]);
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("line " + n + ": " + e.getMessage());
      }
    }
    if (dSense == null || swp == null || qerr == null || tas == null || exceptions == null) {
      throw new IllegalArgumentException("incomplete: d_sense, swp, qerr, tas and exceptions "
          + "are needed");
    }
    return new Values(wce, dSense, swp, qerr, tas, exceptions);
  }

  private static boolean bit(String text) {
    return switch (text) {
      case "0" -> false;
      case "1" -> true;
      default -> throw new IllegalArgumentException(text + " is not 0 or 1");
    };
  }

  /** Saves the values durably; they are the saved ones once this returns. */
  void save(Values v) throws IOException {
    StringBuilder out = new StringBuilder("# Karst saved mode parameters (SPC-4 6.9)\n");
    if (v.writeCache() != null) {
      out.append("wce ").append(v.writeCache() ? 1 : 0).append('\n');
    }
    out.append("d_sense ").append(v.descriptorSense() ? 1 : 0).append('\n');
    out.append("swp ").append(v.softwareWriteProtect() ? 1 : 0).append('\n');
    out.append("qerr ").append(v.queueErrorManagement()).append('\n');
    out.append("tas ").append(v.taskAbortedStatus() ? 1 : 0).append('\n');
    out.append("exceptions ").append(HEX.formatHex(v.exceptions())).append('\n');
    DurableFile.write(file, out.toString());
    saved = v;
  }
}
