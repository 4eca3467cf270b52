package io.karst.iscsi.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import java.lang.System.Logger.Level;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * NOP-Out and NOP-In (RFC 7143 11.18, 11.19): the initiator's pings, echoed with their data
 * in a NOP-In of the same ITT; and the target's own keepalive, a NOP-In with a target
 * transfer tag after {@code nop_in_interval} seconds without traffic (the target's
 * NopInInterval if it has one; an {@link
 * io.netty.handler.timeout.IdleStateHandler} before the sequencer says when), which the
 * initiator must answer with a NOP-Out of that tag within {@code nop_in_timeout} (or
 * NopInTimeout) seconds or
 * lose the connection.
 */
final class NopHandler extends RequestHandler {

  private static final System.Logger LOG = System.getLogger(NopHandler.class.getName());

  private final IscsiConnection connection;
  private int pingTag = Pdu.RESERVED_TAG;
  private ScheduledFuture<?> pingTimeout;

  NopHandler(IscsiConnection connection) {
    super(Opcode.NOP_OUT);
    this.connection = connection;
  }

  @Override
  void handle(Pdu pdu) {
    if (pdu.itt() != Pdu.RESERVED_TAG) {
      echo(pdu);
    } else if (pdu.ttt() == pingTag && pingTimeout != null) {
      // The answer to this target's ping: the connection is alive.
      pingTimeout.cancel(false);
      pingTimeout = null;
      pingTag = Pdu.RESERVED_TAG;
    }
  }

  /** Answers a ping: same ITT and LUN, no transfer tag, the ping data back. */
  private void echo(Pdu pdu) {
    Pdu nopIn = Pdu.create(connection.alloc(), Opcode.NOP_IN);
    nopIn.set64(Pdu.LUN, pdu.u64(Pdu.LUN)).set32(Pdu.ITT, pdu.itt())
        .set32(Pdu.TTT, Pdu.RESERVED_TAG);
    int echo = Math.min(pdu.dataLength(), connection.params().peerMaxRecvDataSegmentLength);
    connection.respond(echo == 0 ? nopIn
        : nopIn.withData(pdu.data.retainedSlice(pdu.data.readerIndex(), echo)));
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (!(event instanceof IdleStateEvent)) {
      ctx.fireUserEventTriggered(event);
      return;
    }
    if (pingTimeout != null) {
      return;
    }
    pingTag = connection.nextTransferTag();
    Pdu ping = Pdu.create(connection.alloc(), Opcode.NOP_IN);
    // A ping is not a response: it reports the StatSN without taking it (RFC 7143 11.19.3).
    ping.set32(Pdu.ITT, Pdu.RESERVED_TAG).set32(Pdu.TTT, pingTag)
        .set32(Pdu.STAT_SN, connection.statSN());
    ctx.channel().writeAndFlush(connection.window(ping));
    int timeout = connection.limits.nopInTimeout();
    pingTimeout = ctx.executor().schedule(() -> {
      LOG.log(Level.WARNING, connection.describe() + ": no answer to NOP-In in " + timeout
          + " s; closing the connection");
      ctx.close();
    }, timeout, TimeUnit.SECONDS);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (pingTimeout != null) {
      pingTimeout.cancel(false);
    }
    ctx.fireChannelInactive();
  }
}
