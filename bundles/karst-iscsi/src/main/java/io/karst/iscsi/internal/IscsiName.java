package io.karst.iscsi.internal;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * iSCSI names (RFC 7143 4.2.7.1, with the characters of RFC 3722's stringprep profile), of the
 * three types: {@code iqn.} with the year and month in which the naming authority held its
 * domain name, that name reversed, and optionally a colon and a string of the authority's
 * choosing; {@code eui.} and the 16 hexadecimal digits of an EUI-64; {@code naa.} and the 16 or
 * 32 hexadecimal digits of an NAA identifier. At most 223 bytes in UTF-8.
 *
 * <p>The characters are letters, digits, '-', '.' and ':', and non-ASCII ones; everything
 * else of ASCII (space, '_', '/', ...) is prohibited. Uppercase ASCII is accepted, as the
 * profile maps it to lowercase: an initiator that does not normalise its name still names
 * itself correctly.
 *
 * <p>Target names, which the administrator chooses here, are held to all of this. An
 * initiator's name only to its type and shape, without spaces or control characters: hosts
 * name themselves with what their operating system allows (an '_' from a host name, say),
 * and LIO and SCST admit them, so refusing them would lock out initiators that work
 * elsewhere for no gain in safety.
 */
final class IscsiName {

  static final int MAX_BYTES = 223;

  private static final Pattern IQN = iqn("[a-z0-9\\P{ASCII}-]+");
  /** An IQN whose domain labels may hold any character but the separators and spaces. */
  private static final Pattern LENIENT_IQN = iqn("[^.:\\s]+");
  private static final Pattern EUI = Pattern.compile("eui\\.[0-9a-f]{16}",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern NAA = Pattern.compile("naa\\.([0-9a-f]{16}|[0-9a-f]{32})",
      Pattern.CASE_INSENSITIVE);

  private IscsiName() {}

  private static Pattern iqn(String label) {
    return Pattern.compile("iqn\\.[0-9]{4}-(0[1-9]|1[0-2])\\." + label + "(\\." + label
        + ")*(:.*)?", Pattern.CASE_INSENSITIVE);
  }

  /** What is wrong with a name, or null when it is a valid iSCSI name. */
  static String problem(String name) {
    return problem(name, true);
  }

  /** What is wrong with an initiator's name, held to its type and shape only. */
  static String initiatorProblem(String name) {
    return problem(name, false);
  }

  private static String problem(String name, boolean strict) {
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      return "longer than " + MAX_BYTES + " bytes";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean allowed = strict
          ? (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || c == '-' || c == '.' || c == ':' || (c > 0x7F && c != '\u3002')
          : c > 0x20 && c != 0x7F;
      if (!allowed) {
        return String.format("character U+%04X at %d is not allowed", (int) c, i);
      }
    }
    String type = name.length() < 4 ? "" : name.substring(0, 4).toLowerCase(Locale.ROOT);
    return switch (type) {
      case "iqn." -> (strict ? IQN : LENIENT_IQN).matcher(name).matches() ? null
          : "not iqn.yyyy-mm.reversed.domain.name[:anything]";
      case "eui." -> EUI.matcher(name).matches() ? null
          : "not eui. and 16 hexadecimal digits";
      case "naa." -> NAA.matcher(name).matches() ? null
          : "not naa. and 16 or 32 hexadecimal digits";
      default -> "not of type iqn., eui. or naa.";
    };
  }

  /**
   * Checks a target's name.
   *
   * @throws IllegalArgumentException naming the target and what is wrong
   */
  static void checkTarget(String name) {
    String problem = problem(name);
    if (problem != null) {
      throw new IllegalArgumentException("TARGET " + name + ": the name is not an iSCSI name ("
          + problem + ")");
    }
  }
}
