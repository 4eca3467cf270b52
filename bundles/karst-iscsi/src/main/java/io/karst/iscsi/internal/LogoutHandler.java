package io.karst.iscsi.internal;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

/**
 * How a session ends (RFC 7143 11.14, 11.15): the initiator's Logout Request, answered and
 * followed by closing the connection; the target's request that the initiator log out (an
 * Asynchronous Message, when core or the driver wants the session gone), with the connection
 * closed anyway once the initiator has had its time; and, whenever the connection closes,
 * the end of the core nexus.
 *
 * <p>Reasons 0 (close the session) and 1 (close the connection) are the same here, as a
 * session has one connection. Reason 2 (remove the connection for recovery) needs
 * ErrorRecoveryLevel 2: "connection recovery is not supported" (response 2).
 */
final class LogoutHandler extends RequestHandler {

  private static final System.Logger LOG = System.getLogger(LogoutHandler.class.getName());

  /** Reason 2; 0 and 1 close the session or the connection. */
  static final int REMOVE_FOR_RECOVERY = 2;
  static final int RECOVERY_NOT_SUPPORTED = 2;
  /** Parameter3 of the logout request: the seconds the initiator has to log out. */
  static final int LOGOUT_GRACE_SECONDS = 5;

  private final IscsiConnection connection;
  private boolean ending;

  LogoutHandler(IscsiConnection connection) {
    super(Opcode.LOGOUT_REQUEST);
    this.connection = connection;
  }

  @Override
  void handle(Pdu pdu) {
    int reason = pdu.flags() & 0x7F;
    if (reason > REMOVE_FOR_RECOVERY) {
      connection.reject(pdu, Opcode.REJECT_INVALID_PDU_FIELD);
      return;
    }
    // Time2Wait and Time2Retain stay 0: nothing of the session is kept for reinstatement.
    Pdu response = Pdu.create(connection.alloc(), Opcode.LOGOUT_RESPONSE);
    response.set8(2, reason == REMOVE_FOR_RECOVERY ? RECOVERY_NOT_SUPPORTED : 0)
        .set32(Pdu.ITT, pdu.itt());
    var sent = connection.respond(response);
    if (reason != REMOVE_FOR_RECOVERY) {
      ending = true;
      sent.addListener(ChannelFutureListener.CLOSE);
    }
  }

  /**
   * Asks the initiator to log out, and closes the connection if it has not within the grace
   * period plus DefaultTime2Wait.
   */
  void requestLogout() {
    if (ending || !connection.active()) {
      return;
    }
    ending = true;
    AsyncMessage.requestLogout(connection, LOGOUT_GRACE_SECONDS);
    connection.channel.eventLoop().schedule(() -> {
      if (connection.active()) {
        LOG.log(Level.INFO, connection.describe() + " did not log out when asked; closing");
        connection.channel.close();
      }
    }, LOGOUT_GRACE_SECONDS + connection.params().defaultTime2Wait, TimeUnit.SECONDS);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    connection.session().close();
    LOG.log(Level.INFO, connection.describe() + " ended");
    ctx.fireChannelInactive();
  }
}
