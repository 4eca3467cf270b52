package io.karst.iscsi.internal;

import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;
import io.karst.api.target.DriverContext;
import io.karst.api.target.Target;
import io.karst.api.target.TargetDriver;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Target driver {@code iscsi}: iSCSI (RFC 7143) on Netty, with the native epoll transport where
 * it loads and NIO elsewhere, pooled direct buffers, one event loop per connection.
 *
 * <p>Each connection's pipeline is the PDU codec ({@link PduDecoder}, {@link PduEncoder}) and
 * the {@link LoginHandler}, which on success replaces itself with the full feature handlers:
 * {@link CommandSequencer}, {@link NopHandler}, {@link ScsiCommandHandler}, {@link
 * TaskManagementHandler}, {@link TextHandler}, {@link LogoutHandler} and, last, {@link
 * RejectHandler}. Connections share nothing but the {@link IscsiService}: whatever one
 * initiator sends, at worst its own connection closes.
 *
 * <p>The driver may be started again after {@link #stop()}.
 */
@Component(service = TargetDriver.class, immediate = true)
public final class IscsiTargetDriver implements TargetDriver {

  private static final System.Logger LOG = System.getLogger(IscsiTargetDriver.class.getName());

  static final String PORTALS = "portals";

  private static final List<AttributeDescriptor> ATTRIBUTES = List.of(
      AttributeDescriptor.builder(PORTALS, AttributeType.STRING).defaultValue("0.0.0.0:3260")
          .writable()
          .description("Addresses to listen on: host:port, comma separated, IPv6 in brackets; "
              + "a host without port listens on 3260, port 0 on any free port. Changes take "
              + "effect at once; sessions logged in through a removed portal stay")
          .build(),
      integer("queue_depth", "128", "Commands an initiator may have outstanding per session "
          + "(the CmdSN window), 1 to 65536"),
      integer("max_recv_data_segment_length", "262144", "The largest data segment the target "
          + "accepts (MaxRecvDataSegmentLength), 512 to 16777215"),
      integer("max_burst_length", "1048576",
          "The target's offer for MaxBurstLength, 512 to 16777215"),
      integer("first_burst_length", "262144",
          "The target's offer for FirstBurstLength, 512 to max_burst_length"),
      integer("max_outstanding_r2t", "8", "The target's offer for MaxOutstandingR2T, 1 to 65535"),
      bool("immediate_data", "1", "The target's offer for ImmediateData"),
      bool("initial_r2t", "0", "The target's offer for InitialR2T"),
      integer("nop_in_interval", "30", "Seconds of silence before a NOP-In ping; 0 for none"),
      integer("nop_in_timeout", "30", "Seconds to wait for the answer to a ping before "
          + "closing the connection"),
      incomingUser("discovery sessions"),
      outgoingUser("discovery sessions"),
      AttributeDescriptor.builder(IsnsClient.ATTRIBUTE, AttributeType.STRING).writable()
          .description("The iSNS server (host[:port], port 3205 by default) to register the "
              + "enabled targets and the portals with; none when empty. A change moves the "
              + "registration at once").build());

  private static final List<AttributeDescriptor> TARGET_ATTRIBUTES = List.of(
      AttributeDescriptor.builder("alias", AttributeType.STRING).writable()
          .description("TargetAlias sent at login").build(),
      integer("tpgt", "1", "Target portal group tag"),
      incomingUser("the target"),
      outgoingUser("the target"),
      digest(LoginHandler.HEADER_DIGEST, "header"),
      digest(LoginHandler.DATA_DIGEST, "data"),
      integer(TargetLimits.MAX_CONNECTIONS, Integer.toString(TargetLimits.DEFAULT_MAX_CONNECTIONS),
          "The most connections a session may have (the target's offer for MaxConnections), "
          + "1 to 65535"),
      integer(TargetLimits.MAX_SESSIONS, "0", "The most sessions the target admits at once, "
          + "0 to 65535; 0 for no limit"),
      AttributeDescriptor.builder(AllowedPortals.ATTRIBUTE, AttributeType.STRING).multiValued()
          .description("A portal address pattern (* any characters, ? one, ! before it to "
              + "exclude), one per line: with any, the target is offered and accepts logins "
              + "only on the portals that match").build(),
      overriding(TargetLimits.NOP_IN_INTERVAL, "nop_in_interval", "Seconds of silence before "
          + "a NOP-In ping on a connection to this target, 0 to 3600, 0 for none"),
      overriding(TargetLimits.NOP_IN_TIMEOUT, "nop_in_timeout", "Seconds to wait for the "
          + "answer to a ping before closing the connection, 1 to 3600"),
      integer(TargetLimits.RSP_TIMEOUT, Integer.toString(TargetLimits.DEFAULT_RSP_TIMEOUT),
          "Seconds a command waits for the initiator's Data-Out before the connection is "
          + "closed, 2 to 65535"),
      AttributeDescriptor.builder(Redirect.ATTRIBUTE, AttributeType.STRING)
          .description("address[:port] temp|perm (IPv6 in brackets): logins of normal "
              + "sessions are redirected there, temporarily or permanently; none when empty")
          .build(),
      overriding(TargetLimits.QUEUED_COMMANDS, "queue_depth", "Commands an initiator may "
          + "have outstanding per session of this target (the CmdSN window), 1 to 65536"),
      offer("InitialR2T", AttributeType.BOOLEAN, "initial_r2t", "The target's offer for "
          + "InitialR2T"),
      offer("ImmediateData", AttributeType.BOOLEAN, "immediate_data", "The target's offer for "
          + "ImmediateData"),
      offer("MaxRecvDataSegmentLength", AttributeType.INTEGER, "max_recv_data_segment_length",
          "The largest data segment the target accepts, 512 to 16777215"),
      offer("MaxXmitDataSegmentLength", AttributeType.INTEGER, null, "The largest data "
          + "segment the target sends, whatever the initiator accepts, 512 to 16777215"),
      offer("MaxBurstLength", AttributeType.INTEGER, "max_burst_length", "The target's offer "
          + "for MaxBurstLength, 512 to 16777215"),
      offer("FirstBurstLength", AttributeType.INTEGER, "first_burst_length", "The target's "
          + "offer for FirstBurstLength, 512 to its MaxBurstLength"),
      offer("MaxOutstandingR2T", AttributeType.INTEGER, "max_outstanding_r2t", "The target's "
          + "offer for MaxOutstandingR2T, 1 to 65535"));

  /** How long {@link #stop()} waits for initiators to log out. */
  static final long LOGOUT_WAIT_MILLIS = 2000;

  private EventLoopGroup group;
  private Listeners listeners;
  private IscsiService service;
  private volatile IsnsClient isns;
  /** The first portal at start, which names the iSNS entity ({@link #entity}). */
  private InetSocketAddress entityPortal;

  private static AttributeDescriptor integer(String name, String value, String description) {
    return AttributeDescriptor.builder(name, AttributeType.INTEGER).defaultValue(value)
        .description(description).build();
  }

  /** An integer target attribute that, when not set, is the driver's attribute of its use. */
  private static AttributeDescriptor overriding(String name, String driverAttribute,
      String description) {
    return AttributeDescriptor.builder(name, AttributeType.INTEGER)
        .description(description + "; the driver's " + driverAttribute + " when not set")
        .build();
  }

  /**
   * A negotiation key of a target, iscsi-scst's per-target key of that name: the driver's
   * attribute of its use when not set, applied from the next login on.
   */
  private static AttributeDescriptor offer(String key, AttributeType type,
      String driverAttribute, String description) {
    return AttributeDescriptor.builder(key, type).writable()
        .description(description + (driverAttribute == null ? "; no limit when not set"
            : "; the driver's " + driverAttribute + " when not set")).build();
  }

  private static AttributeDescriptor digest(String name, String what) {
    return AttributeDescriptor.builder(name, AttributeType.STRING).writable()
        .defaultValue(String.join(",", Negotiation.DIGESTS))
        .description("The " + what + " digests the target accepts: CRC32C, None, or both; "
            + "an initiator gets the first of its own list that is here").build();
  }

  private static AttributeDescriptor incomingUser(String what) {
    return AttributeDescriptor.builder(ChapUsers.INCOMING, AttributeType.STRING).multiValued()
        .writable()
        .secret().description("\"name secret\" of an initiator CHAP user of " + what
            + ", one per line; with any, " + what + " require CHAP; secrets of "
            + ChapUsers.MIN_SECRET + " bytes or more").build();
  }

  private static AttributeDescriptor outgoingUser(String what) {
    return AttributeDescriptor.builder(ChapUsers.OUTGOING, AttributeType.STRING).secret().writable()
        .description("\"name secret\" with which " + what + " answer an initiator's "
            + "challenge (mutual CHAP)").build();
  }

  private static AttributeDescriptor bool(String name, String value, String description) {
    return AttributeDescriptor.builder(name, AttributeType.BOOLEAN).defaultValue(value)
        .description(description).build();
  }

  @Override
  public String name() {
    return "iscsi";
  }

  @Override
  public List<AttributeDescriptor> attributes() {
    return ATTRIBUTES;
  }

  @Override
  public List<AttributeDescriptor> targetAttributes() {
    return TARGET_ATTRIBUTES;
  }

  @Override
  public List<AttributeDescriptor> sessionAttributes() {
    return SessionAttributes.SESSION;
  }

  @Override
  public List<AttributeDescriptor> connectionAttributes() {
    return SessionAttributes.CONNECTION;
  }

  /** The discovery CHAP credentials, offers and limits, checked as {@link #start} does. */
  @Override
  public void checkAttributes(Map<String, String> attributes) {
    IscsiService.checkDriver(attributes);
  }

  /**
   * A new or changed target, checked as {@link #start} checks each target and as logins read
   * it: a CHAP secret shorter than {@link ChapUsers#MIN_SECRET} bytes, say, is refused with the
   * change instead of failing every login to the target.
   */
  @Override
  public void checkTarget(String name, Map<String, String> attributes,
      Map<String, String> driverAttributes) {
    IscsiService.checkTarget(Params.offers(driverAttributes),
        TargetLimits.ofDriver(driverAttributes), new Proposed(name, attributes));
  }

  /** A target as a change would make it, which only its checks read. */
  private record Proposed(String name, Map<String, String> attributes) implements Target {

    @Override
    public boolean enabled() {
      return true;
    }

    @Override
    public boolean admits(String initiator) {
      return false;
    }
  }

  /**
   * Changes a writable driver attribute while the driver runs: the portals are listened on as
   * {@link Listeners#listen} does, and the iSNS server, if any, is given the new ones; a new
   * iSNS server has the entity deregistered from the old one, if any, and registered with
   * it under the same name; the discovery CHAP users are read from the context at each
   * discovery login, so they need nothing here.
   *
   * @throws IllegalStateException naming a portal that cannot be bound, nothing changed
   */
  @Override
  public synchronized void set(String attribute, String value) throws Exception {
    if (group == null) {
      throw new IllegalStateException("iscsi is not started");
    }
    switch (attribute) {
      case PORTALS -> {
        listeners.listen(IscsiService.parsePortals(value));
        LOG.log(Level.INFO, "iSCSI listening on " + service.portals());
        targetsChanged();
      }
      case IsnsClient.ATTRIBUTE -> {
        InetSocketAddress server = isnsServer(value);
        if (isns != null) {
          isns.stop();
          isns = null;
        }
        register(server);
      }
      case ChapUsers.INCOMING, ChapUsers.OUTGOING -> { }
      default -> TargetDriver.super.set(attribute, value);
    }
  }

  /**
   * Registers the targets' change with the iSNS server, if there is one; not under the
   * driver's lock, which {@link #stop()} holds while initiators log out.
   */
  @Override
  public void targetsChanged() {
    IsnsClient c = isns;
    if (c != null) {
      c.changed();
    }
  }

  @Override
  public synchronized void start(DriverContext context) throws Exception {
    if (group != null) {
      throw new IllegalStateException("iscsi is already started");
    }
    List<InetSocketAddress> portals = IscsiService.parsePortals(context.attributes()
        .get(PORTALS));
    IscsiService s = new IscsiService(context, portals);
    InetSocketAddress isnsAddress = isnsServer(context.attributes().get(IsnsClient.ATTRIBUTE));
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerChannel> channel =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    EventLoopGroup g = new MultiThreadIoEventLoopGroup(0, io);
    ServerBootstrap bootstrap = new ServerBootstrap().group(g).channel(channel)
        .option(ChannelOption.SO_REUSEADDR, true)
        .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, Backpressure.WATER_MARK)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            IscsiConnection connection = new IscsiConnection(s, ch);
            s.register(connection);
            pipeline(connection);
          }
        });
    Listeners l = new Listeners(bootstrap, s);
    try {
      l.listen(portals);
    } catch (IllegalStateException e) {
      g.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
      throw e;
    }
    listeners = l;
    group = g;
    service = s;
    entityPortal = s.portals().get(0);
    register(isnsAddress);
    LOG.log(Level.INFO, "iSCSI listening on " + s.portals() + " ("
        + (epoll ? "native epoll" : "NIO: " + Epoll.unavailabilityCause()) + ")");
  }

  /** The iSNS server an attribute names, or null for none. */
  private static InetSocketAddress isnsServer(String value) throws java.io.IOException {
    return value == null || value.isBlank() ? null : IsnsClient.parse(value);
  }

  /** Keeps the targets registered with this iSNS server from now on; none when null. */
  private void register(InetSocketAddress server) {
    if (server != null) {
      DriverContext context = service.context();
      isns = new IsnsClient(server, entity(entityPortal), context::targets, service::portals);
      isns.start();
    }
  }

  /**
   * A new connection's pipeline: the PDU codec, backpressure, and the login phase, which
   * replaces itself with the full feature handlers.
   */
  static void pipeline(IscsiConnection connection) {
    connection.channel.pipeline().addLast("decoder", new PduDecoder())
        .addLast("encoder", new PduEncoder())
        .addLast("backpressure", new Backpressure(connection))
        .addLast("login", new LoginHandler(connection));
  }

  /**
   * The iSNS entity of this server: its host name and the port of its first portal at start,
   * unique per server. It stays while the driver runs, whatever portals are listened on later:
   * the entity is what the server knows this target by, and one renamed while registered
   * would be a second entity beside a stale first one, whose portals initiators would still
   * be told of until its registration lapsed. A restart deregisters the entity, so the next
   * one may take a new name.
   */
  private static String entity(InetSocketAddress portal) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    return "karst:" + host + ":" + portal.getPort();
  }

  /** The live connections (their state is the event loops'). */
  synchronized List<IscsiConnection> connections() {
    return service == null ? List.of() : List.copyOf(service.connections());
  }

  /** The addresses the driver listens on, as bound. */
  synchronized List<InetSocketAddress> boundPortals() {
    return service == null ? List.of() : service.portals();
  }

  /**
   * Stops listening, asks every logged-in initiator to log out (Asynchronous Message), gives
   * them {@link #LOGOUT_WAIT_MILLIS} to do so, then closes what is left, ends every core
   * session, and shuts the event loops down.
   */
  @Override
  public synchronized void stop() {
    if (group == null) {
      return;
    }
    if (isns != null) {
      isns.stop();
      isns = null;
    }
    listeners.close();
    listeners = null;
    int asked = service.connections().size();
    service.connections().forEach(IscsiConnection::requestLogout);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOGOUT_WAIT_MILLIS);
    while (!service.connections().isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    List<IscsiConnection> left = List.copyOf(service.connections());
    for (IscsiConnection c : left) {
      c.channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
      c.execute(() -> {
        if (c.session() != null) {
          c.session().close();
        }
      });
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    // What an administrator checks after taking the driver away under load: whether the
    // initiators left cleanly or had their connections cut.
    LOG.log(Level.INFO, "iSCSI stopped: " + (asked - left.size()) + " of " + asked
        + " connection(s) logged out when asked, " + left.size() + " closed");
    group = null;
    service = null;
  }

  @Deactivate
  void deactivate() {
    stop();
  }
}
