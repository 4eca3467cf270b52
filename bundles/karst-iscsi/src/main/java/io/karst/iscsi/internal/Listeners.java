package io.karst.iscsi.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The listening sockets of a started driver, one per portal of its {@code portals} attribute
 * (LIO's network portals), which follow that attribute while the driver runs.
 *
 * <p>A change binds the new portals before it closes the removed ones, so that a portal that
 * cannot be bound (its address in use, or not on this host) refuses the change with the
 * driver listening as before. Only a new portal that takes the address and port of a removed
 * one (a wildcard {@code 0.0.0.0:3260} for {@code 192.0.2.1:3260}, or the other way round)
 * cannot be bound while that one listens: such removed portals close first, and listen again
 * when the change fails.
 *
 * <p>A removed portal ends what LIO ends when it removes a network portal ({@code
 * iscsit_tpg_del_network_portal}: the login thread of the portal is reset, then its socket
 * released): no new connection is accepted there, and a login still in progress through it
 * is cut, as the portal it came through no longer exists. Connections already in full feature
 * phase, normal and discovery sessions alike, stay: removing a portal is how an administrator
 * moves initiators off an address without cutting their I/O, and they leave at their next
 * reconnection, when SendTargets and iSNS no longer offer it.
 */
final class Listeners {

  private final ServerBootstrap bootstrap;
  private final IscsiService service;
  /** By portal as configured (port 0 stays 0 here), in configuration order. */
  private Map<InetSocketAddress, Channel> listening = Map.of();

  Listeners(ServerBootstrap bootstrap, IscsiService service) {
    this.bootstrap = bootstrap;
    this.service = service;
  }

  /**
   * Listens on exactly these portals, and tells the service the addresses as bound: the
   * portals kept go on listening with their connections untouched.
   *
   * @throws IllegalStateException naming a portal that cannot be bound; the listeners are
   *     then as they were
   */
  void listen(List<InetSocketAddress> portals) {
    List<InetSocketAddress> added = portals.stream().filter(p -> !listening.containsKey(p))
        .toList();
    Map<InetSocketAddress, Channel> removed = new LinkedHashMap<>(listening);
    removed.keySet().removeAll(portals);
    Map<InetSocketAddress, Channel> released = new LinkedHashMap<>();
    removed.forEach((p, c) -> {
      if (added.stream().anyMatch(a -> overlap(a, p))) {
        released.put(p, c);
      }
    });
    Map<InetSocketAddress, Channel> opened = new LinkedHashMap<>();
    try {
      for (InetSocketAddress p : added) {
        if (released.keySet().stream().noneMatch(r -> overlap(p, r))) {
          opened.put(p, bind(p));
        }
      }
      released.values().forEach(this::close);
      for (InetSocketAddress p : added) {
        if (!opened.containsKey(p)) {
          opened.put(p, bind(p));
        }
      }
    } catch (IllegalStateException e) {
      opened.values().forEach(c -> c.close().awaitUninterruptibly());
      if (!released.isEmpty()) {
        restore(released, e);
      }
      throw e;
    }
    removed.keySet().removeAll(released.keySet());
    removed.values().forEach(this::close);
    Map<InetSocketAddress, Channel> next = new LinkedHashMap<>();
    for (InetSocketAddress p : portals) {
      next.put(p, listening.containsKey(p) ? listening.get(p) : opened.get(p));
    }
    listening = next;
    service.bound(bound());
  }

  /** Listens again on the portals a failed change had closed for its new ones. */
  private void restore(Map<InetSocketAddress, Channel> released, IllegalStateException failure) {
    Map<InetSocketAddress, Channel> next = new LinkedHashMap<>(listening);
    for (InetSocketAddress p : released.keySet()) {
      try {
        next.put(p, bind(p));
      } catch (IllegalStateException e) {
        // Taken meanwhile by another process: the driver goes on without it, and says so.
        next.remove(p);
        failure.addSuppressed(e);
      }
    }
    listening = next;
    service.bound(bound());
  }

  /**
   * Whether two portals take the same address and port: the same address, or a wildcard and
   * any address, on one fixed port (port 0 binds a free one, which never overlaps).
   */
  private static boolean overlap(InetSocketAddress a, InetSocketAddress b) {
    return a.getPort() != 0 && a.getPort() == b.getPort()
        && (a.getAddress().equals(b.getAddress()) || a.getAddress().isAnyLocalAddress()
            || b.getAddress().isAnyLocalAddress());
  }

  private Channel bind(InetSocketAddress portal) {
    ChannelFuture f = bootstrap.bind(portal).awaitUninterruptibly();
    if (!f.isSuccess()) {
      // The system's reason, as NIO gives it; the native transport puts the call and errno
      // before it.
      String reason = String.valueOf(f.cause().getMessage())
          .replaceFirst("^bind\\(\\.\\.\\) failed[^:]*: ", "");
      throw new IllegalStateException("portal " + Discovery.address(portal) + " cannot listen: "
          + reason, f.cause());
    }
    return f.channel();
  }

  /** Stops listening on a removed portal, and cuts the logins still in progress through it. */
  private void close(Channel listener) {
    listener.close().awaitUninterruptibly();
    for (IscsiConnection c : service.connections()) {
      if (c.channel.parent() == listener && c.session() == null) {
        c.channel.close();
      }
    }
  }

  /** The addresses listened on, as bound: the real port of a portal configured with 0. */
  List<InetSocketAddress> bound() {
    List<InetSocketAddress> out = new ArrayList<>();
    for (Channel c : listening.values()) {
      out.add((InetSocketAddress) c.localAddress());
    }
    return out;
  }

  /** Stops listening on every portal; the connections are the driver's to end. */
  void close() {
    for (Channel c : listening.values()) {
      c.close().awaitUninterruptibly();
    }
    listening = Map.of();
  }
}
