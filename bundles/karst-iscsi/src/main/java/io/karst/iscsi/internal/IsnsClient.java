package io.karst.iscsi.internal;

import io.karst.api.target.Target;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps the driver's enabled targets and portals registered with an iSNS server (RFC 4171),
 * so that initiators that discover through iSNS find them: one network entity, its portals,
 * one storage node per enabled target, and a portal group per target and portal with the
 * target's TPGT. A DevAttrReg with the Replace flag registers all of it when the driver starts
 * (targets change only with the configuration, which applies at a start) and again at half
 * the registration period the server grants, which keeps the registration alive without ESI;
 * a DevDereg removes the entity when the driver stops.
 *
 * <p>Each exchange is a short TCP connection on a thread of its own, outside the event loops.
 * A server that cannot be reached or refuses is logged, and tried again later; it never
 * stops the driver.
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

  private final InetSocketAddress server;
  private final String entity;
  private final List<Target> targets;
  private final Supplier<List<InetSocketAddress>> portals;
  private final ScheduledExecutorService executor;
  private int transaction;
  /** The Source of the registration in place, needed to remove it; null when none is. */
  private String registeredAs;
  private boolean failing;

  IsnsClient(InetSocketAddress server, String entity, List<Target> targets,
      Supplier<List<InetSocketAddress>> portals) {
    this.server = server;
    this.entity = entity;
    this.targets = targets;
    this.portals = portals;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "karst-isns");
      t.setDaemon(true);
      return t;
    });
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
    executor.execute(this::register);
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

  private void register() {
    List<Target> enabled = targets.stream().filter(Target::enabled).toList();
    if (enabled.isEmpty()) {
      deregister();
      LOG.log(Level.INFO, "iSNS: no enabled target to register with " + server);
      return;
    }
    String source = enabled.get(0).name();
    int next = RETRY_SECONDS;
    try (Socket s = connect()) {
      // A wildcard portal is registered as the address the iSNS server reaches us at.
      InetAddress local = s.getLocalAddress();
      Isns.Attributes a = new Isns.Attributes().string(Isns.ISCSI_NAME, source)
          .string(Isns.ENTITY_IDENTIFIER, entity).delimiter()
          .string(Isns.ENTITY_IDENTIFIER, entity).u32(Isns.ENTITY_PROTOCOL, Isns.PROTOCOL_ISCSI);
      List<InetSocketAddress> registered = portals.get().stream().map(p ->
          p.getAddress().isAnyLocalAddress() ? new InetSocketAddress(local, p.getPort()) : p)
          .distinct().toList();
      for (InetSocketAddress p : registered) {
        a.address(Isns.PORTAL_IP_ADDRESS, p.getAddress()).tcpPort(Isns.PORTAL_PORT, p.getPort());
      }
      for (Target t : enabled) {
        a.string(Isns.ISCSI_NAME, t.name()).u32(Isns.ISCSI_NODE_TYPE, Isns.NODE_TARGET);
        String alias = t.attributes().get("alias");
        if (alias != null && !alias.isEmpty()) {
          a.string(Isns.ISCSI_ALIAS, alias);
        }
      }
      for (Target t : enabled) {
        int tag = Integer.parseInt(t.attributes().getOrDefault("tpgt", "1"));
        // A portal the target is not offered on gets no portal group of it.
        for (InetSocketAddress p : registered) {
          if (!AllowedPortals.allows(t, p.getAddress())) {
            continue;
          }
          a.string(Isns.PG_ISCSI_NAME, t.name()).address(Isns.PG_PORTAL_IP_ADDR, p.getAddress())
              .tcpPort(Isns.PG_PORTAL_PORT, p.getPort()).u32(Isns.PG_TAG, tag);
        }
      }
      Isns.Response r = exchange(s, Isns.DEV_ATTR_REG, Isns.REPLACE, a);
      if (r.status() != 0) {
        fail("registration refused: " + Isns.status(r.status()));
      } else {
        boolean news = failing || registeredAs == null;
        registeredAs = source;
        int period = r.u32(Isns.REGISTRATION_PERIOD, DEFAULT_PERIOD_SECONDS);
        next = Math.max(RETRY_SECONDS / 3, period / 2);
        LOG.log(news ? Level.INFO : Level.DEBUG, "iSNS: registered " + enabled.size()
            + " target(s) on " + registered + " with " + server + " as entity " + entity
            + ", refreshing every " + next + " s");
        failing = false;
      }
    } catch (IOException | RuntimeException e) {
      fail(e.toString());
    }
    if (!executor.isShutdown()) {
      executor.schedule(this::register, next, TimeUnit.SECONDS);
    }
  }

  private void deregister() {
    if (registeredAs == null) {
      return;
    }
    try (Socket s = connect()) {
      Isns.Response r = exchange(s, Isns.DEV_DEREG, 0, new Isns.Attributes()
          .string(Isns.ISCSI_NAME, registeredAs).delimiter()
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
    registeredAs = null;
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
