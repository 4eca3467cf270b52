package io.karst.iscsi.internal;

import io.karst.api.target.Target;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The SendTargets answer (RFC 7143 Appendix C): a TargetName for each target the initiator may
 * reach on the portal it is connected to, each followed by a TargetAddress {@code
 * address:port,tpgt} for every portal the target is offered on ({@link AllowedPortals}). A
 * wildcard portal (0.0.0.0 or ::) stands for the address this connection reached, then every
 * other address of the host of the same family that is neither loopback nor link-local.
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
    InetSocketAddress local = connection.localAddress();
    List<InetSocketAddress> portals = portals(connection.service.portals(), local);
    for (Target t : connection.service.context().targets()) {
      boolean asked = all ? p.discovery || t.name().equals(p.targetName)
          : t.name().equals(wanted);
      if (asked && t.enabled() && t.admits(p.initiatorName)
          && AllowedPortals.allows(t, local == null ? null : local.getAddress())) {
        out.append("TargetName=").append(t.name()).append('\0');
        String tpgt = t.attributes().getOrDefault("tpgt", "1");
        for (InetSocketAddress portal : portals) {
          if (AllowedPortals.allows(t, portal.getAddress())) {
            out.append("TargetAddress=").append(address(portal)).append(',').append(tpgt)
                .append('\0');
          }
        }
      }
    }
  }

  /**
   * The portals to announce, each once: the configured ones, a wildcard one replaced by the
   * connection's address and the host's other addresses of that family on its port.
   */
  static List<InetSocketAddress> portals(List<InetSocketAddress> configured,
      InetSocketAddress local) {
    Set<InetSocketAddress> out = new LinkedHashSet<>();
    for (InetSocketAddress portal : configured) {
      if (!portal.getAddress().isAnyLocalAddress()) {
        out.add(portal);
        continue;
      }
      if (local == null) {
        out.add(portal);
        continue;
      }
      InetAddress reached = local.getAddress();
      out.add(new InetSocketAddress(reached, portal.getPort()));
      boolean v4 = reached instanceof Inet4Address;
      if (portal.getAddress() instanceof Inet4Address && !v4) {
        continue;
      }
      for (InetAddress a : hostAddresses()) {
        if ((a instanceof Inet4Address) == v4 && !a.isLoopbackAddress()
            && !a.isLinkLocalAddress()) {
          out.add(new InetSocketAddress(a, portal.getPort()));
        }
      }
    }
    return List.copyOf(out);
  }

  private static List<InetAddress> hostAddresses() {
    List<InetAddress> out = new ArrayList<>();
    try {
      for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (i.isUp()) {
          out.addAll(Collections.list(i.getInetAddresses()));
        }
      }
    } catch (SocketException e) {
      // No interfaces to list: the connection's own address is announced still.
    }
    return out;
  }

  /** {@code host:port}, an IPv6 host in brackets. */
  static String address(InetSocketAddress portal) {
    return NetUtil.toSocketAddressString(portal);
  }

  /** An address as text: IPv6 without scope, in RFC 5952's short form. */
  static String host(InetAddress a) {
    return NetUtil.toAddressString(a);
  }
}
