package io.karst.iscsi.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;

/**
 * Delivers the full feature phase's PDUs to the handlers after it in CmdSN order (RFC 7143
 * 4.2.2.1, 3.2.2.1), across all the connections of the session: the expected command at
 * once, then any that waited for it, each on the connection it came on (connection
 * allegiance, 4.2.3); a command further on within the window is held until the gap fills,
 * whichever connection fills it; one outside the window (or a duplicate) is dropped silently.
 * Immediate commands (I bit) and PDUs without a CmdSN (Data-Out, SNACK, the NOP-Out that
 * answers a ping) pass straight through and move nothing.
 *
 * <p>A PDU whose data segment was too long ({@linkplain Pdu#truncated() truncated}) is
 * rejected when its turn comes, so its CmdSN is still consumed and the window does not stall.
 */
final class CommandSequencer extends ChannelInboundHandlerAdapter {

  private static final System.Logger LOG = System.getLogger(CommandSequencer.class.getName());

  /** A command waiting for its turn, and the connection's sequencer that delivers it. */
  private record Held(CommandSequencer sequencer, ChannelHandlerContext ctx, Pdu pdu) {}

  /**
   * What the sequencers of a session's connections share: the window and the held commands.
   * Deliveries are made one at a time, in CmdSN order, each on its own connection's event
   * loop: a command for another connection is handed to that loop, which goes on with the
   * next one, so that core receives commands in CmdSN order whatever their connections.
   */
  static final class Ordering {
    private final CommandWindow window;
    private final Map<Integer, Held> held = new HashMap<>();
    private boolean delivering;
    private boolean cleared;

    Ordering(CommandWindow window) {
      this.window = window;
    }

    /**
     * Takes a numbered PDU on its own connection's event loop; false when it is outside the
     * window or a duplicate, or the session has ended. The expected command, when no other
     * delivery runs, goes on at once without being held: the common case, every command of a
     * session with one connection that sends in order, which costs no lookup in (nor boxing
     * for) the empty map of held commands.
     */
    private boolean hold(CommandSequencer sequencer, ChannelHandlerContext ctx, Pdu pdu) {
      int cmdSN = pdu.cmdSN();
      boolean now;
      synchronized (this) {
        if (cleared || (!held.isEmpty() && held.containsKey(cmdSN))) {
          return false;
        }
        now = !delivering && window.advanceIfExpected(cmdSN);
        if (!now) {
          if (!window.expected(cmdSN) && !window.ahead(cmdSN)) {
            return false;
          }
          held.put(cmdSN, new Held(sequencer, ctx, pdu));
          if (delivering) {
            return true;
          }
        }
        delivering = true;
      }
      if (now) {
        sequencer.deliver(ctx, pdu);
      }
      deliverInOrder();
      return true;
    }

    /** Delivers the held commands from ExpCmdSN on, as long as there is no gap. */
    private void deliverInOrder() {
      while (true) {
        Held h;
        synchronized (this) {
          h = held.isEmpty() ? null : held.remove(window.expCmdSN());
          if (h == null) {
            delivering = false;
            return;
          }
          window.advance();
        }
        IscsiConnection c = h.sequencer.connection;
        if (c.channel.eventLoop().inEventLoop()) {
          h.sequencer.deliver(h.ctx, h.pdu);
        } else if (c.execute(() -> {
          h.sequencer.deliver(h.ctx, h.pdu);
          deliverInOrder();
        })) {
          return;
        } else {
          // The connection's event loop is gone: the command goes with it.
          h.pdu.release();
        }
      }
    }

    /** The session ended: lets go of the commands that still wait. */
    synchronized void clear() {
      cleared = true;
      held.values().forEach(h -> h.pdu.release());
      held.clear();
    }
  }

  private final IscsiConnection connection;

  CommandSequencer(IscsiConnection connection) {
    this.connection = connection;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Pdu pdu = (Pdu) msg;
    if (!ordered(pdu)) {
      deliver(ctx, pdu);
      return;
    }
    IscsiSession session = connection.session();
    if (!session.ordering.hold(this, ctx, pdu)) {
      CommandWindow window = session.window;
      LOG.log(Level.DEBUG, () -> connection.describe() + ": dropping CmdSN " + pdu.cmdSN()
          + " outside the window " + window.expCmdSN() + ".." + window.maxCmdSN());
      pdu.release();
    }
  }

  private static boolean ordered(Pdu pdu) {
    return Opcode.numbered(pdu.opcode()) && !pdu.immediate()
        && !(pdu.opcode() == Opcode.NOP_OUT && pdu.itt() == Pdu.RESERVED_TAG);
  }

  /**
   * Passes a PDU on in its turn; a truncated one is rejected here, but for Data-Out, which its
   * task must hear of. A command whose connection closed while it waited is dropped: its
   * task would have been terminated with the connection (RFC 7143 11.14.1).
   *
   * <p>One whose data failed its digest is rejected with Data digest error and discarded (RFC
   * 7143 7.8), after its CmdSN was counted. A SCSI Command or Data-Out goes on marked, though:
   * at ErrorRecoveryLevel 0 the target cannot ask for the data again (a recovery R2T is level
   * 1), so 7.8 has it end the task with CHECK CONDITION, PROTOCOL SERVICE CRC ERROR, once all
   * its data has come, which the task does; the command part of a SCSI Command is sound.
   */
  private void deliver(ChannelHandlerContext ctx, Pdu pdu) {
    if (!connection.active()) {
      pdu.release();
      return;
    }
    if (pdu.dataDigestError()) {
      connection.reject(pdu, Opcode.REJECT_DATA_DIGEST_ERROR);
      if (pdu.opcode() != Opcode.SCSI_COMMAND && pdu.opcode() != Opcode.DATA_OUT) {
        pdu.release();
        return;
      }
    }
    if (pdu.truncated() && pdu.opcode() != Opcode.DATA_OUT) {
      try {
        connection.reject(pdu, Opcode.REJECT_PROTOCOL_ERROR);
      } finally {
        pdu.release();
      }
      return;
    }
    ctx.fireChannelRead(pdu);
  }
}
