package io.karst.iscsi.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;

/**
 * Delivers the full feature phase's PDUs to the handlers after it in CmdSN order (RFC 7143
 * 4.2.2.1, 3.2.2.1): the expected command at once, then any that waited for it; a command
 * further on within the window is held until the gap fills; one outside the window (or a
 * duplicate) is dropped silently. Immediate commands (I bit) and PDUs without a CmdSN
 * (Data-Out, SNACK, the NOP-Out that answers a ping) pass straight through and move nothing.
 *
 * <p>A PDU whose data segment was too long ({@linkplain Pdu#truncated() truncated}) is
 * rejected when its turn comes, so its CmdSN is still consumed and the window does not stall.
 */
final class CommandSequencer extends ChannelInboundHandlerAdapter {

  private static final System.Logger LOG = System.getLogger(CommandSequencer.class.getName());

  private final IscsiConnection connection;
  private final Map<Integer, Pdu> held = new HashMap<>();

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
    CommandWindow window = connection.session().window;
    int cmdSN = pdu.cmdSN();
    if (window.expected(cmdSN)) {
      window.advance();
      deliver(ctx, pdu);
      Pdu next;
      while ((next = held.remove(window.expCmdSN())) != null) {
        window.advance();
        deliver(ctx, next);
      }
    } else if (window.ahead(cmdSN) && !held.containsKey(cmdSN)) {
      held.put(cmdSN, pdu);
    } else {
      LOG.log(Level.DEBUG, () -> connection.describe() + ": dropping CmdSN " + cmdSN
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
   * task must hear of.
   *
   * <p>One whose data failed its digest is rejected with Data digest error and discarded (RFC
   * 7143 7.8), after its CmdSN was counted. A SCSI Command or Data-Out goes on marked, though:
   * at ErrorRecoveryLevel 0 the target cannot ask for the data again (a recovery R2T is level
   * 1), so 7.8 has it end the task with CHECK CONDITION, PROTOCOL SERVICE CRC ERROR, once all
   * its data has come, which the task does; the command part of a SCSI Command is sound.
   */
  private void deliver(ChannelHandlerContext ctx, Pdu pdu) {
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

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    held.values().forEach(Pdu::release);
    held.clear();
    ctx.fireChannelInactive();
  }
}
