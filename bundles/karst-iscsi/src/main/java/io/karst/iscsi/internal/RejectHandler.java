package io.karst.iscsi.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.lang.System.Logger.Level;

/**
 * The tail of the full feature pipeline: whatever PDU no handler took is rejected (RFC 7143
 * 11.17). An opcode RFC 7143 does not define is "Command not supported" (5); a defined one
 * that has no place here is a "Protocol Error" (4): a SNACK at ErrorRecoveryLevel 0, a Login
 * Request after login, a SCSI command or task management request in a discovery session.
 * The tail also closes the connection on an exception, so that nothing one initiator sends
 * reaches beyond its own connection.
 */
final class RejectHandler extends ChannelInboundHandlerAdapter {

  private static final System.Logger LOG = System.getLogger(RejectHandler.class.getName());

  private final IscsiConnection connection;

  RejectHandler(IscsiConnection connection) {
    this.connection = connection;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Pdu pdu = (Pdu) msg;
    try {
      LOG.log(Level.DEBUG, () -> connection.describe() + ": rejecting " + pdu);
      connection.reject(pdu, Opcode.known(pdu.opcode())
          ? Opcode.REJECT_PROTOCOL_ERROR : Opcode.REJECT_COMMAND_NOT_SUPPORTED);
    } finally {
      pdu.release();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    connection.failed(connection.describe(), cause);
  }
}
