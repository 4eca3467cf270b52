package io.karst.iscsi.internal;

import io.karst.api.scsi.TaskManagementFunction;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * One TCP connection of a session (RFC 7143 3.3), shared by the handlers of its pipeline:
 * its CID, its parameters (the session's, with its own MaxRecvDataSegmentLength and digests),
 * its StatSN, its task table and transfer tags, and the stamping of the sequence numbers every
 * target PDU carries. A connection exists from accept; it joins an {@link IscsiSession} when
 * its login succeeds, and leaves it when its channel closes. Everything but {@link #execute},
 * the task table (which the session's other connections look into) and the methods that say
 * so runs on the channel's event loop.
 */
final class IscsiConnection {

  private static final System.Logger LOG = System.getLogger(IscsiConnection.class.getName());

  final IscsiService service;
  final Channel channel;
  /** The commands of this connection that core has not answered, by initiator task tag. */
  final Map<Integer, IscsiTask> tasks = new ConcurrentHashMap<>();
  /** Set on the event loop; read from others when a login looks for a session to reinstate. */
  private volatile IscsiSession session;
  private Params params;
  /** The connection ID the login gave (RFC 7143 11.12.8). */
  volatile int cid;
  /**
   * The keepalive and RspTimeout timers, and the session limits: the driver's, or the target's
   * once the login knows it.
   */
  TargetLimits limits;
  private int statSN;
  private int transferTag;
  /** Whether the connection's tasks were ended in core, which is done once. */
  private volatile boolean tasksTerminated;
  /** Whether reading stopped for good ({@link #stopReading}); backpressure leaves it so. */
  private boolean readingStopped;

  IscsiConnection(IscsiService service, Channel channel) {
    this.service = service;
    this.channel = channel;
    this.limits = service.limits();
  }

  /**
   * The login succeeded: the connection serves this session with these parameters, numbering
   * status from here.
   */
  void enter(IscsiSession s, Params p, int nextStatSN) {
    this.session = s;
    this.params = p;
    this.statSN = nextStatSN;
  }

  /** The session, once logged in. */
  IscsiSession session() {
    return session;
  }

  Params params() {
    return params;
  }

  ByteBufAllocator alloc() {
    return channel.alloc();
  }

  boolean active() {
    return channel.isActive();
  }

  /** The address the initiator reached, or null on a channel that has none (a test's). */
  InetSocketAddress localAddress() {
    return channel.localAddress() instanceof InetSocketAddress a ? a : null;
  }

  /** The initiator's address, or null for a connection without one (a test channel). */
  java.net.InetAddress peerAddress() {
    return channel.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
  }

  /**
   * Runs {@code r} on the connection's event loop, now when already there (core calls in from
   * any thread). Returns false when the loop is gone, so the caller can release what the task
   * held.
   */
  boolean execute(Runnable r) {
    if (channel.eventLoop().inEventLoop()) {
      r.run();
      return true;
    }
    try {
      channel.eventLoop().execute(r);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /** A target transfer tag for an R2T, a ping or a text continuation: never 0xffffffff. */
  int nextTransferTag() {
    transferTag = (transferTag + 1) & 0x7FFFFFFF;
    return transferTag;
  }

  /** The StatSN the next status-bearing PDU will carry (what an R2T or ping reports). */
  int statSN() {
    return statSN;
  }

  /** Takes a StatSN for a status-bearing PDU. */
  int takeStatSN() {
    return statSN++;
  }

  /** Writes ExpCmdSN and MaxCmdSN, which every target PDU after login carries. */
  Pdu window(Pdu pdu) {
    return session.window.stamp(pdu);
  }

  /** Sends a status-bearing PDU: the next StatSN, the window, and a flush. */
  ChannelFuture respond(Pdu pdu) {
    pdu.set32(Pdu.STAT_SN, takeStatSN());
    return channel.writeAndFlush(window(pdu));
  }

  /**
   * Rejects a PDU (RFC 7143 11.17): the reason, and the offending BHS as the data segment. A
   * rejected command's CmdSN stays consumed, so the window moves on.
   */
  void reject(Pdu rejected, int reason) {
    Pdu pdu = Pdu.create(alloc(), Opcode.REJECT);
    pdu.set8(2, reason).set32(Pdu.ITT, Pdu.RESERVED_TAG);
    respond(pdu.withData(rejected.bhs.copy()));
  }

  /** Core or the driver wants the session ended: ask the initiator to log out. */
  void requestLogout() {
    execute(() -> {
      LogoutHandler logout = channel.pipeline().get(LogoutHandler.class);
      if (logout != null) {
        logout.requestLogout();
      } else {
        channel.close();
      }
    });
  }

  /**
   * Reads PDUs only while what the target sends can be queued ({@link Backpressure}), unless
   * reading stopped for good.
   */
  void readWhileWritable() {
    if (!readingStopped) {
      channel.config().setAutoRead(channel.isWritable());
    }
  }

  /** Stops reading PDUs; the stage completes on the event loop once it has. */
  CompletableFuture<Void> stopReading() {
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    if (!execute(() -> {
      readingStopped = true;
      channel.config().setAutoRead(false);
      stopped.complete(null);
    })) {
      stopped.complete(null);
    }
    return stopped;
  }

  /** Closes the channel; the stage completes once it is closed. */
  CompletableFuture<Void> close() {
    CompletableFuture<Void> closed = new CompletableFuture<>();
    channel.close().addListener(f -> closed.complete(null));
    return closed;
  }

  /**
   * Aborts in core every task of this connection (ABORT TASK by tag, which completes once the
   * task can no longer touch the medium): what RFC 7143 11.14.1 calls the implicit
   * termination of the tasks allegiant to a connection that is closed or fails at
   * ErrorRecoveryLevel 0 while its session goes on.
   */
  CompletableFuture<Void> terminateTasks() {
    IscsiSession s = session;
    if (tasksTerminated || tasks.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    tasksTerminated = true;
    CompletableFuture<?>[] aborts = tasks.values().stream()
        .map(t -> s.nexus.manage(TaskManagementFunction.ABORT_TASK,
            ScsiCommandHandler.lun(t.lunField), t.itt & 0xFFFFFFFFL).toCompletableFuture())
        .toArray(CompletableFuture<?>[]::new);
    return CompletableFuture.allOf(aborts);
  }

  /**
   * Ends this connection while its session goes on (logout of the connection, connection
   * reinstatement): reading stops, its tasks are aborted, then it closes.
   */
  CompletableFuture<Void> terminate() {
    return stopReading().thenCompose(v -> terminateTasks()).thenCompose(v -> close());
  }

  /**
   * The catch-all of the pipeline: closes the connection, so that nothing one initiator sends
   * reaches beyond it. A network error (the initiator reset the connection, say) is an
   * ordinary end, logged in a line; anything else is a fault here, logged with its trace.
   */
  void failed(String what, Throwable cause) {
    if (cause instanceof IOException) {
      LOG.log(Level.INFO, what + ": " + cause.getMessage() + "; closing the connection");
    } else {
      LOG.log(Level.WARNING, what + " failed; closing the connection", cause);
    }
    channel.close();
  }

  String describe() {
    return (session == null ? "connection" : session.describe() + ", CID " + cid) + " from "
        + channel.remoteAddress();
  }
}
