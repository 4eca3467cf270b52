package io.karst.iscsi.internal;

import io.karst.api.target.Target;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps the driver's enabled targets and portals registered with an iSNS server (RFC 4171),
 * so that initiators that discover through iSNS find them: one network entity, its portals,
 * one storage node per enabled target, and a portal group per target and portal with the
 * target's TPGT.
 *
 * <p>When the driver starts, a DevAttrReg with the Replace flag registers all of it. When the
 * targets change at run time ({@link #changed}), the registration follows: a target added or
 * enabled is registered into the entity (a DevAttrReg that updates it, with the new storage
 * node, the portals and its portal groups), one removed or disabled is deregistered (a
 * DevDereg of its storage node, which takes its portal groups); a registered target whose
 * alias, TPGT or allowed portals changed, or portals that changed, have the whole entity
 * registered again with Replace; the last target gone deregisters the entity. At half the
 * registration period the server grants, the same update restates everything, which keeps the
 * registration alive without ESI (RFC 4171 6.2.6: any message refreshes it) and restores
 * what a server lost; a DevDereg removes the entity when the driver stops.
 *
 * <p>Each update is a short TCP connection on a thread of its own, outside the event loops
 * and core's lock. A server that cannot be reached or refuses is logged, and tried again
 * later with the whole entity; it never stops the driver.
 */
final class IsnsClient {

  private static final System.Logger LOG = System.getLogger(IsnsClient.class.getName());

  /** The attribute that names the server, as iscsi-scst calls it. */
  static final String ATTRIBUTE = "iSNSServer";
  /** Seconds between tries while the server cannot be reached or refuses. */
  static final int RETRY_SECONDS = 30;
  /** The refresh when the server grants no registration period. */
  private static final int DEFAULT_PERIOD_SECONDS = 900;
  private static final int TIMEOUT_MILLIS = 5000;

  /** What the server holds of one target: its storage node and its portal groups. */
  private record Node(String alias, int tag, List<InetSocketAddress> groups) {}

  private final InetSocketAddress server;
  private final String entity;
  private final Supplier<List<Target>> targets;
  private final Supplier<List<InetSocketAddress>> portals;
  private final ScheduledExecutorService executor;
  private int transaction;
  /** The nodes registered, by target name, in registration order; empty when none is. */
  private Map<String, Node> registered = Map.of();
  /** The portals registered with them. */
  private List<InetSocketAddress> registeredPortals = List.of();
  private ScheduledFuture<?> refresh;
  /** Whether the last exchange failed, so the server may hold anything of ours. */
  private boolean failing;

  /**
   * @param targets the driver's targets as they are at each call
   * @param portals the addresses the driver listens on
   */
  IsnsClient(InetSocketAddress server, String entity, Supplier<List<Target>> targets,
      Supplier<List<InetSocketAddress>> portals) {
    this.server = server;
    this.entity = entity;
    this.targets = targets;
    this.portals = portals;
    ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "karst-isns");
      t.setDaemon(true);
      return t;
    });
    // The refresh waiting for its time does not hold up a stop.
    e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.executor = e;
  }

  /**
   * Parses the attribute: {@code host[:port]}, IPv6 in brackets, 3205 when no port is given.
   * iscsi-scst's {@code AccessControl} option is refused: access is the target's, here.
   */
  static InetSocketAddress parse(String value) throws IOException {
    String v = value.trim();
    if (v.contains(" ") || v.contains(",")) {
      throw new IllegalArgumentException(ATTRIBUTE + " '" + value + "': one host[:port] only "
          + "(iSNS access control is not supported)");
    }
    return IscsiService.parseAddress(v, Isns.PORT);
  }

  void start() {
    executor.execute(this::update);
  }

  /** The targets changed: the registration follows them, soon, on the client's thread. */
  void changed() {
    try {
      executor.execute(this::update);
    } catch (RejectedExecutionException e) {
      // Stopping: the entity is being deregistered anyway.
    }
  }

  /** Removes the registration (waiting a few seconds at most) and ends the thread. */
  void stop() {
    executor.execute(this::deregister);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(2 * TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** Brings the server to the targets as they are now, then schedules the next refresh. */
  private void update() {
    if (refresh != null) {
      refresh.cancel(false);
      refresh = null;
    }
    List<Target> enabled = targets.get().stream().filter(Target::enabled).toList();
    if (enabled.isEmpty()) {
      if (!registered.isEmpty()) {
        deregister();
      }
      LOG.log(Level.INFO, "iSNS: no enabled target to register with " + server);
      return;
    }
    int next = RETRY_SECONDS;
    try (Socket s = connect()) {
      // A wildcard portal is registered as the address the iSNS server reaches us at.
      InetAddress local = s.getLocalAddress();
      List<InetSocketAddress> now = portals.get().stream().map(p ->
          p.getAddress().isAnyLocalAddress() ? new InetSocketAddress(local, p.getPort()) : p)
          .distinct().toList();
      Map<String, Node> wanted = new LinkedHashMap<>();
      for (Target t : enabled) {
        String alias = t.attributes().get("alias");
        // A portal the target is not offered on gets no portal group of it.
        wanted.put(t.name(), new Node(alias == null ? "" : alias,
            Integer.parseInt(t.attributes().getOrDefault("tpgt", "1")),
            now.stream().filter(p -> AllowedPortals.allows(t, p.getAddress())).toList()));
      }
      String source = wanted.keySet().stream().filter(registered::containsKey).findFirst()
          .orElse(null);
      boolean whole = failing || source == null || !now.equals(registeredPortals)
          || registered.entrySet().stream().anyMatch(e -> wanted.containsKey(e.getKey())
              && !wanted.get(e.getKey()).equals(e.getValue()));
      Isns.Response r;
      if (whole) {
        source = wanted.keySet().iterator().next();
        r = exchange(s, Isns.DEV_ATTR_REG, Isns.REPLACE, registration(source, now, wanted));
      } else {
        for (String gone : registered.keySet()) {
          if (!wanted.containsKey(gone)) {
            deregister(s, gone);
          }
        }
        r = exchange(s, Isns.DEV_ATTR_REG, 0, registration(source, now, wanted));
      }
      if (r.status() != 0) {
        fail("registration refused: " + Isns.status(r.status()));
      } else {
        List<String> added = wanted.keySet().stream().filter(n -> !registered.containsKey(n))
            .toList();
        boolean news = whole || !added.isEmpty();
        registered = wanted;
        registeredPortals = now;
        int period = r.u32(Isns.REGISTRATION_PERIOD, DEFAULT_PERIOD_SECONDS);
        next = Math.max(RETRY_SECONDS / 3, period / 2);
        LOG.log(news ? Level.INFO : Level.DEBUG, "iSNS: registered " + (whole
            ? wanted.size() + " target(s) on " + now : "target(s) " + added) + " with " + server
            + " as entity " + entity + ", refreshing every " + next + " s");
        failing = false;
      }
    } catch (IOException | RuntimeException e) {
      fail(e.toString());
    }
    if (!executor.isShutdown()) {
      refresh = executor.schedule(this::update, next, TimeUnit.SECONDS);
    }
  }

  /**
   * A DevAttrReg of the entity (the Message Key), its portals, the targets' storage nodes and
   * their portal groups.
   */
  private Isns.Attributes registration(String source, List<InetSocketAddress> portals,
      Map<String, Node> nodes) {
    Isns.Attributes a = new Isns.Attributes().string(Isns.ISCSI_NAME, source)
        .string(Isns.ENTITY_IDENTIFIER, entity).delimiter()
        .string(Isns.ENTITY_IDENTIFIER, entity).u32(Isns.ENTITY_PROTOCOL, Isns.PROTOCOL_ISCSI);
    for (InetSocketAddress p : portals) {
      a.address(Isns.PORTAL_IP_ADDRESS, p.getAddress()).tcpPort(Isns.PORTAL_PORT, p.getPort());
    }
    nodes.forEach((name, n) -> {
      a.string(Isns.ISCSI_NAME, name).u32(Isns.ISCSI_NODE_TYPE, Isns.NODE_TARGET);
      if (!n.alias().isEmpty()) {
        a.string(Isns.ISCSI_ALIAS, n.alias());
      }
    });
    nodes.forEach((name, n) -> {
      for (InetSocketAddress p : n.groups()) {
        a.string(Isns.PG_ISCSI_NAME, name).address(Isns.PG_PORTAL_IP_ADDR, p.getAddress())
            .tcpPort(Isns.PG_PORTAL_PORT, p.getPort()).u32(Isns.PG_TAG, n.tag());
      }
    });
    return a;
  }

  /**
   * A DevDereg of one target's storage node, by itself as the Source.
   *
   * @throws IOException when the server refuses, so that the next try registers the entity
   *     whole
   */
  private void deregister(Socket s, String target) throws IOException {
    Isns.Response r = exchange(s, Isns.DEV_DEREG, 0, new Isns.Attributes()
        .string(Isns.ISCSI_NAME, target).delimiter().string(Isns.ISCSI_NAME, target));
    if (r.status() != 0) {
      throw new IOException("deregistration of target " + target + " refused: "
          + Isns.status(r.status()));
    }
    LOG.log(Level.INFO, "iSNS: deregistered target " + target + " from " + server);
  }

  /** A DevDereg of the whole entity. */
  private void deregister() {
    if (registered.isEmpty()) {
      return;
    }
    String source = registered.keySet().iterator().next();
    try (Socket s = connect()) {
      Isns.Response r = exchange(s, Isns.DEV_DEREG, 0, new Isns.Attributes()
          .string(Isns.ISCSI_NAME, source).delimiter()
          .string(Isns.ENTITY_IDENTIFIER, entity));
      if (r.status() == 0) {
        LOG.log(Level.INFO, "iSNS: deregistered entity " + entity + " from " + server);
      } else {
        LOG.log(Level.WARNING, "iSNS: " + server + " refused to deregister entity " + entity
            + ": " + Isns.status(r.status()));
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "iSNS: cannot deregister entity " + entity + " from " + server
          + ": " + e);
    }
    registered = Map.of();
    registeredPortals = List.of();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket();
    try {
      s.connect(server, TIMEOUT_MILLIS);
      s.setSoTimeout(TIMEOUT_MILLIS);
      return s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  private Isns.Response exchange(Socket s, int function, int flags, Isns.Attributes a)
      throws IOException {
    int tx = transaction = (transaction + 1) & 0xFFFF;
    s.getOutputStream().write(Isns.request(function, flags, tx, a));
    s.getOutputStream().flush();
    return Isns.read(s.getInputStream(), function, tx);
  }

  /** Logs a failure once until the next success, then quietly tries again. */
  private void fail(String why) {
    LOG.log(failing ? Level.DEBUG : Level.WARNING, "iSNS: cannot register with " + server
        + ": " + why + "; trying again every " + RETRY_SECONDS + " s");
    failing = true;
  }
}
