package io.karst.iscsi.internal;

import io.karst.api.target.Target;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The SendTargets answer (RFC 7143 Appendix C): a TargetName for each target the initiator may
 * reach, each followed by a TargetAddress {@code address:port,tpgt} for every portal. A
 * wildcard portal (0.0.0.0 or ::) is announced with the address this connection reached.
 */
final class Discovery {

  private Discovery() {}

  /**
   * Appends the answer to {@code SendTargets=value}: All lists every enabled target that
   * admits the initiator (a discovery session's question); a name lists that target if it
   * does; an empty value, in a normal session, lists the session's own target.
   */
  static void sendTargets(IscsiConnection connection, String value, StringBuilder out) {
    Params p = connection.params();
    boolean all = value.equals("All");
    String wanted = value.isEmpty() ? p.targetName : value;
    for (Target t : connection.service.context().targets()) {
      boolean asked = all ? p.discovery || t.name().equals(p.targetName)
          : t.name().equals(wanted);
      if (asked && t.enabled() && t.admits(p.initiatorName)) {
        out.append("TargetName=").append(t.name()).append('\0');
        String tpgt = t.attributes().getOrDefault("tpgt", "1");
        for (InetSocketAddress portal : connection.service.portals()) {
          out.append("TargetAddress=").append(address(portal, connection.localAddress()))
              .append(':').append(portal.getPort()).append(',').append(tpgt).append('\0');
        }
      }
    }
  }

  static String address(InetSocketAddress portal, InetSocketAddress local) {
    InetAddress a = portal.getAddress().isAnyLocalAddress() && local != null
        ? local.getAddress() : portal.getAddress();
    String host = a.getHostAddress();
    int scope = host.indexOf('%');
    if (scope >= 0) {
      host = host.substring(0, scope);
    }
    return host.contains(":") ? "[" + host + "]" : host;
  }
}
