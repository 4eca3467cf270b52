package io.karst.iscsi.internal;

import io.karst.api.target.Target;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * Login redirection (RFC 7143 11.13.5, Status-Class 1): a target's {@code redirect}
 * attribute, in iscsi-scst's syntax {@code address[:port] temp|perm}, sends the initiators of
 * normal sessions elsewhere before any authentication: the login is answered "target moved
 * temporarily" (0x0101) or "permanently" (0x0102) with a TargetAddress, and the connection
 * closes. Discovery sessions are not redirected, nor a login that already reached that address
 * and port.
 *
 * @param host an IPv4 address, an IPv6 one in brackets, or a DNS name
 */
record Redirect(String host, int port, boolean permanent) {

  static final String ATTRIBUTE = "redirect";
  static final int TEMPORARY = 0x0101;
  static final int PERMANENT = 0x0102;

  /**
   * The redirect of a target, or null when it has none.
   *
   * @throws IllegalArgumentException naming the target and the attribute, for a bad value
   */
  static Redirect of(Target target) {
    String value = target.attributes().get(ATTRIBUTE);
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return parse(value.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("TARGET " + target.name() + ": " + ATTRIBUTE + " '"
          + value + "' " + e.getMessage());
    }
  }

  private static Redirect parse(String value) {
    String[] words = value.split("\\s+");
    if (words.length != 2) {
      throw new IllegalArgumentException("is not address[:port] temp|perm");
    }
    boolean permanent = switch (words[1].toLowerCase(Locale.ROOT)) {
      case "temp" -> false;
      case "perm" -> true;
      default -> throw new IllegalArgumentException("has type " + words[1]
          + ", not temp or perm");
    };
    String address = words[0];
    int end = address.startsWith("[") ? address.indexOf(']') : -1;
    if (address.startsWith("[") && end < 0) {
      throw new IllegalArgumentException("has an unclosed '['");
    }
    int colon = address.indexOf(':', end + 1);
    String host = colon < 0 ? address : address.substring(0, colon);
    if (host.isEmpty() || (end < 0 && colon != address.lastIndexOf(':'))) {
      throw new IllegalArgumentException("has no address (IPv6 goes in brackets)");
    }
    int port = 3260;
    if (colon >= 0) {
      try {
        port = Integer.parseInt(address.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("has a port that is not 1 to 65535");
      }
    }
    return new Redirect(host, port, permanent);
  }

  /** Whether a connection that reached this portal is where the redirect points already. */
  boolean reached(InetSocketAddress portal) {
    if (portal == null || portal.getPort() != port) {
      return false;
    }
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return h.equalsIgnoreCase(Discovery.host(portal.getAddress()));
  }

  /** The login refusal that redirects: its status and TargetAddress. */
  LoginRefusal refusal(String targetName) {
    return new LoginRefusal(permanent ? PERMANENT : TEMPORARY, "target " + targetName
        + " moved " + (permanent ? "permanently" : "temporarily") + " to " + targetAddress(),
        java.util.Map.of("TargetAddress", targetAddress()));
  }

  String targetAddress() {
    return host + ":" + port;
  }
}
