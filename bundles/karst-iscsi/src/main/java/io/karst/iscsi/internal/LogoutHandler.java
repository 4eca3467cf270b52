package io.karst.iscsi.internal;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How connections and sessions end (RFC 7143 11.14, 11.15): the initiator's Logout Request,
 * answered once the tasks it ends can no longer touch the medium; the target's request that
 * the initiator log out (an Asynchronous Message, when core or the driver wants the session
 * gone), with the connection closed anyway once the initiator has had its time.
 *
 * <ul>
 *   <li>Reason 0, close the session: every task of the session is aborted in core, the
 *       response goes out on this connection, and every connection of the session closes.
 *   <li>Reason 1, close the connection its CID names, this one or another of the session: that
 *       connection's tasks are aborted (at ErrorRecoveryLevel 0 they cannot move to another
 *       connection), then the response, then it closes; the session goes on with the others,
 *       or ends with its last connection. An unknown CID is answered "CID not found" (1).
 *   <li>Reason 2, remove the connection for recovery, needs ErrorRecoveryLevel 2: "connection
 *       recovery is not supported" (2).
 * </ul>
 */
final class LogoutHandler extends RequestHandler {

  private static final System.Logger LOG = System.getLogger(LogoutHandler.class.getName());

  static final int CLOSE_SESSION = 0;
  /** Reason 2; 0 and 1 close the session or the connection. */
  static final int REMOVE_FOR_RECOVERY = 2;
  static final int CID_NOT_FOUND = 1;
  static final int RECOVERY_NOT_SUPPORTED = 2;
  /** Parameter3 of the logout request: the seconds the initiator has to log out. */
  static final int LOGOUT_GRACE_SECONDS = 5;
  /** The Logout Request's CID field. */
  private static final int CID = 20;

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
    int itt = pdu.itt();
    IscsiSession session = connection.session();
    if (reason == REMOVE_FOR_RECOVERY) {
      respond(itt, RECOVERY_NOT_SUPPORTED);
      return;
    }
    if (reason == CLOSE_SESSION || session.discovery()) {
      ending = true;
      List<IscsiConnection> all = session.connections();
      session.abortTaskSets(all).whenComplete((r, e) -> connection.execute(() ->
          respond(itt, 0).addListener(f -> all.forEach(IscsiConnection::close))));
      return;
    }
    IscsiConnection closed = session.connection(pdu.u16(CID));
    if (closed == null) {
      respond(itt, CID_NOT_FOUND);
      return;
    }
    if (closed != connection) {
      LOG.log(Level.INFO, connection.describe() + " logs out " + closed.describe());
      closed.terminate().whenComplete((r, e) -> connection.execute(() -> respond(itt, 0)));
      return;
    }
    ending = true;
    connection.stopReading().thenCompose(v -> connection.terminateTasks())
        .whenComplete((r, e) -> connection.execute(() ->
            respond(itt, 0).addListener(ChannelFutureListener.CLOSE)));
  }

  /**
   * A Logout Response; Time2Wait and Time2Retain stay 0, as nothing of a connection or session
   * is kept for recovery.
   */
  private ChannelFuture respond(int itt, int response) {
    Pdu pdu = Pdu.create(connection.alloc(), Opcode.LOGOUT_RESPONSE);
    pdu.set8(2, response).set32(Pdu.ITT, itt);
    return connection.respond(pdu);
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
    LOG.log(Level.INFO, connection.describe() + " ended");
    ctx.fireChannelInactive();
  }
}
