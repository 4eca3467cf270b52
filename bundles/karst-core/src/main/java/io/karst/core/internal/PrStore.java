package io.karst.core.internal;

import io.karst.core.internal.PrState.Registration;
import io.karst.core.internal.PrState.Snapshot;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Where a device's persistent reservation state lives while APTPL is set (SPC-4 5.13.5): one
 * text file per device, {@code pr/<device>.pr} under core's data directory, named after the
 * device so that it survives any change to the configuration but the device's name.
 *
 * <p>It is written as a {@link DurableFile}, so that after a crash at any point it holds either
 * the old state or the new one. A file that cannot be read is reported with its path and
 * moved aside as {@code *.corrupt}, for an administrator to look at, and the device starts
 * without registrations.
 *
 * <pre>
 * generation 7
 * aptpl 1
 * reservation TYPE HOLDER        (HOLDER: the index of a registration, or -1)
 * registration KEY TARGET PORT   (KEY in hexadecimal; TARGET a name or *; PORT a TransportID)
 * </pre>
 */
final class PrStore {

  private static final HexFormat HEX = HexFormat.of();

  private final Path file;

  PrStore(Path dataDirectory, String device) {
    this.file = dataDirectory.resolve("pr")
        .resolve(URLEncoder.encode(device, StandardCharsets.UTF_8) + ".pr");
  }

  Path file() {
    return file;
  }

  /** The saved state, or null when there is none or it was unreadable (and moved aside). */
  Snapshot load() {
    return DurableFile.read(file, "persistent reservation state",
        "the device starts without registrations", PrStore::parse);
  }

  private static Snapshot parse(List<String> lines) {
    int generation = -1;
    int type = -1;
    int holder = -1;
    List<Registration> regs = new ArrayList<>();
    int n = 0;
    for (String line : lines) {
      n++;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.trim().split(" ", 4);
      try {
        switch (f[0]) {
          case "generation" -> generation = Integer.parseUnsignedInt(f[1]);
          case "aptpl" -> {
            if (!f[1].equals("1")) {
              throw new IllegalArgumentException("aptpl is not 1");
            }
          }
          case "reservation" -> {
            type = Integer.parseInt(f[1]);
            holder = Integer.parseInt(f[2]);
          }
          case "registration" -> regs.add(new Registration(TransportId.of(f[3]),
              f[2].equals("*") ? null : f[2], key(f[1])));
          default -> throw new IllegalArgumentException("unknown entry " + f[0]);
        }
      } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
        throw new IllegalArgumentException("line " + n + ": " + line);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("line " + n + ": " + e.getMessage());
      }
    }
    boolean validType = type == 0 || type == 1 || type == 3 || (type >= 5 && type <= 8);
    if (generation < 0 || !validType || holder < -1 || holder >= regs.size()
        || (type != 0 && !PrState.allRegistrants(type)) != (holder >= 0)) {
      throw new IllegalArgumentException("incomplete or inconsistent state");
    }
    return new Snapshot(List.copyOf(regs), holder < 0 ? null : regs.get(holder), type,
        generation, true);
  }

  private static long key(String text) {
    if (text.length() != 16) {
      throw new IllegalArgumentException("key " + text + " is not 16 hexadecimal digits");
    }
    return Long.parseUnsignedLong(text, 16);
  }

  /** Writes the state durably: temporary file, forced, renamed over the old one. */
  void save(Snapshot s) throws IOException {
    StringBuilder out = new StringBuilder("# Karst persistent reservations (SPC-4 5.13.5)\n");
    out.append("generation ").append(Integer.toUnsignedString(s.generation())).append('\n');
    out.append("aptpl 1\n");
    out.append("reservation ").append(s.type()).append(' ')
        .append(s.holder() == null ? -1 : s.registrations().indexOf(s.holder())).append('\n');
    for (Registration r : s.registrations()) {
      out.append("registration ").append(HEX.toHexDigits(r.key())).append(' ')
          .append(r.target() == null ? "*" : r.target()).append(' ').append(r.initiator())
          .append('\n');
    }
    DurableFile.write(file, out.toString());
  }

  /** Removes the saved state: APTPL was cleared, so the state need not survive a restart. */
  void remove() throws IOException {
    DurableFile.remove(file);
  }
}
