package io.karst.iscsi.internal;

import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.target.Target;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A target's {@code allowed_portal} patterns (iscsi-scst's attribute and rules): the target
 * portal addresses on which the target is offered in SendTargets and accepts logins. Without
 * any pattern, every portal. A pattern is an address with {@code *} (any characters) and
 * {@code ?} (one character); a leading {@code !} inverts it. With positive patterns, one of
 * them must match; no negative pattern may match.
 */
final class AllowedPortals {

  static final String ATTRIBUTE = "allowed_portal";

  private AllowedPortals() {}

  /**
   * Whether the target is offered on this portal address. A connection without an IP address
   * (an in-memory test channel) matches no pattern.
   */
  static boolean allows(Target target, InetAddress address) {
    List<String> patterns = AttributeDescriptor.values(target.attributes().get(ATTRIBUTE));
    if (patterns.isEmpty()) {
      return true;
    }
    String host = address == null ? "" : Discovery.host(address);
    boolean anyPositive = false;
    boolean positive = false;
    boolean negative = true;
    for (String p : patterns) {
      String pattern = p.trim();
      if (pattern.startsWith("!")) {
        negative &= !matches(pattern.substring(1), host);
      } else {
        anyPositive = true;
        positive |= matches(pattern, host);
      }
    }
    return (!anyPositive || positive) && negative;
  }

  /**
   * Whether an address, written as {@link Discovery#host} writes it, matches a pattern; an
   * IPv6 pattern may be in brackets, and hexadecimal digits match in either case.
   */
  static boolean matches(String pattern, String host) {
    String p = pattern.startsWith("[") && pattern.endsWith("]")
        ? pattern.substring(1, pattern.length() - 1) : pattern;
    StringBuilder regex = new StringBuilder();
    for (char c : p.toLowerCase(Locale.ROOT).toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.matches(regex.toString(), host.toLowerCase(Locale.ROOT));
  }
}
