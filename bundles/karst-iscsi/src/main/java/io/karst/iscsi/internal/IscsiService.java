package io.karst.iscsi.internal;

import io.karst.api.target.DriverContext;
import io.karst.api.target.Target;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * What the connections of a started driver share: core's context, the driver's settings, the
 * portals, the failed authentications, the normal sessions by TSIH (which new connections
 * join, and new logins reinstate), and the live connections, which {@link
 * IscsiTargetDriver#stop()} asks to log out.
 */
final class IscsiService {

  private final DriverContext context;
  private final Params offers;
  private final TargetLimits limits;
  private volatile List<InetSocketAddress> portals;
  private final AtomicInteger tsih = new AtomicInteger();
  private final Map<Integer, IscsiSession> sessions = new ConcurrentHashMap<>();
  private final Set<IscsiConnection> connections = ConcurrentHashMap.newKeySet();
  private final AuthenticationThrottle throttle;

  IscsiService(DriverContext context, List<InetSocketAddress> portals) {
    this(context, portals, System::nanoTime);
  }

  /** A service whose authentication throttle reads this clock (nanoseconds). */
  IscsiService(DriverContext context, List<InetSocketAddress> portals, LongSupplier nanoTime) {
    this.throttle = new AuthenticationThrottle(nanoTime);
    this.portals = portals;
    this.context = context;
    Map<String, String> a = context.attributes();
    // Everything is checked now, so that a short secret keeps the driver stopped with a clear
    // reason instead of failing logins later; while the driver runs, core asks it to check
    // each change the same way before applying it (IscsiTargetDriver#checkTarget).
    this.offers = checkDriver(a);
    this.limits = TargetLimits.ofDriver(a);
    for (Target t : context.targets()) {
      checkTarget(offers, limits, t);
    }
  }

  /**
   * Checks the driver's own attributes: the portals' and iSNS server's syntax, the offers, the
   * limits, and the CHAP credentials of discovery sessions.
   *
   * @return the target's offers these attributes make
   * @throws IllegalArgumentException naming the driver, the attribute and the problem
   */
  static Params checkDriver(Map<String, String> attributes) {
    String owner = "TARGET_DRIVER iscsi";
    ChapUsers.of(attributes, owner);
    String isns = attributes.get(IsnsClient.ATTRIBUTE);
    try {
      parsePortals(attributes.get(IscsiTargetDriver.PORTALS));
      if (isns != null && !isns.isBlank()) {
        IsnsClient.parse(isns);
      }
      TargetLimits.ofDriver(attributes);
      return Params.offers(attributes);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(owner + ": unknown host " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(owner + ": " + e.getMessage(), e);
    }
  }

  /**
   * Checks what logins to a target read of it, as they read it: its name, CHAP credentials,
   * digest lists, offers, limits, timeouts and redirect.
   *
   * @throws IllegalArgumentException naming the target, the attribute and the problem
   */
  static void checkTarget(Params offers, TargetLimits limits, Target t) {
    IscsiName.checkTarget(t.name());
    ChapUsers.of(t.attributes(), "TARGET " + t.name());
    offers.forTarget(t);
    for (String key : List.of(LoginHandler.HEADER_DIGEST, LoginHandler.DATA_DIGEST)) {
      Negotiation.accepted(t, key);
    }
    limits.forTarget(t);
    Redirect.of(t);
  }

  /** The portals as bound, which tell the real port when the configuration said 0. */
  void bound(List<InetSocketAddress> addresses) {
    portals = List.copyOf(addresses);
  }

  List<InetSocketAddress> portals() {
    return portals;
  }

  /**
   * Parses a portal list: {@code host:port} entries separated by commas, IPv6 hosts in
   * brackets, a missing port meaning 3260 and port 0 any free port; each portal once.
   */
  static List<InetSocketAddress> parsePortals(String text) throws UnknownHostException {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String entry : text.split(",")) {
      String p = entry.trim();
      if (!p.isEmpty()) {
        InetSocketAddress portal = parseAddress(p, 3260);
        if (out.contains(portal)) {
          throw new IllegalArgumentException("portals: " + Discovery.address(portal)
              + " is given twice");
        }
        out.add(portal);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("portals: no address given");
    }
    return out;
  }

  /** Parses {@code host[:port]}, an IPv6 host in brackets, with a default port. */
  static InetSocketAddress parseAddress(String p, int defaultPort) throws UnknownHostException {
    String host;
    int port = defaultPort;
    if (p.startsWith("[")) {
      int end = p.indexOf(']');
      if (end < 0) {
        throw new IllegalArgumentException("address '" + p + "': unclosed '['");
      }
      host = p.substring(1, end);
      if (p.length() > end + 1) {
        port = port(p, p.substring(end + 1));
      }
    } else {
      int colon = p.lastIndexOf(':');
      host = colon < 0 ? p : p.substring(0, colon);
      if (colon >= 0) {
        port = port(p, p.substring(colon));
      }
    }
    return new InetSocketAddress(InetAddress.getByName(host), port);
  }

  private static int port(String portal, String colonPort) {
    try {
      if (!colonPort.startsWith(":")) {
        throw new NumberFormatException();
      }
      int port = Integer.parseInt(colonPort.substring(1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("address '" + portal + "': the port is not 0 to 65535");
    }
  }

  DriverContext context() {
    return context;
  }

  /** Failed authentications, counted across the connections. */
  AuthenticationThrottle throttle() {
    return throttle;
  }

  Params offers() {
    return offers;
  }

  /** The limits of a target that sets none of its own. */
  TargetLimits limits() {
    return limits;
  }

  /**
   * Registers a new normal session under a session identifying handle (RFC 7143 11.12.6) that
   * no live session has, never 0.
   */
  IscsiSession open(java.util.function.IntFunction<IscsiSession> session) {
    while (true) {
      int t = tsih.incrementAndGet() & 0xFFFF;
      if (t == 0 || sessions.containsKey(t)) {
        continue;
      }
      IscsiSession s = session.apply(t);
      if (s.discovery() || sessions.putIfAbsent(t, s) == null) {
        return s;
      }
    }
  }

  /** The normal session of this TSIH, or null. */
  IscsiSession session(int tsih) {
    return sessions.get(tsih);
  }

  /** A session's last connection left. */
  void ended(IscsiSession session) {
    sessions.remove(session.tsih, session);
  }

  /** How many normal sessions a target has. */
  long sessionsOf(String targetName) {
    return sessions.values().stream().filter(s -> s.params.targetName.equals(targetName))
        .count();
  }

  /** Tracks a new connection until its channel closes. */
  void register(IscsiConnection connection) {
    connections.add(connection);
    connection.channel.closeFuture().addListener(f -> connections.remove(connection));
  }

  /**
   * The normal sessions that a leading login with these parameters and ISID reinstates (RFC
   * 7143 6.3.5): same initiator name, ISID and target.
   */
  List<IscsiSession> reinstated(Params p, byte[] isid) {
    return sessions.values().stream().filter(s -> s.sameNexus(p, isid)).toList();
  }

  /** The connections whose channels are still open. */
  Set<IscsiConnection> connections() {
    return connections;
  }
}
