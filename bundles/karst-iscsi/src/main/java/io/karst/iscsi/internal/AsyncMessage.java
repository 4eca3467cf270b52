package io.karst.iscsi.internal;

/**
 * Asynchronous Messages (RFC 7143 11.9): events the target reports unasked, each a
 * status-bearing PDU with ITT 0xffffffff. Only the logout request (AsyncEvent 1) is sent yet.
 */
final class AsyncMessage {

  /** AsyncEvent 1: the target requests logout within Parameter3 seconds (11.9.1). */
  static final int LOGOUT_REQUEST = 1;
  private static final int ASYNC_EVENT = 36;
  private static final int PARAMETER3 = 42;

  private AsyncMessage() {}

  /** Asks the initiator to log out within {@code seconds}. */
  static void requestLogout(IscsiConnection connection, int seconds) {
    Pdu pdu = Pdu.create(connection.alloc(), Opcode.ASYNC_MESSAGE);
    pdu.set32(Pdu.ITT, Pdu.RESERVED_TAG).set8(ASYNC_EVENT, LOGOUT_REQUEST)
        .set16(PARAMETER3, seconds);
    connection.respond(pdu);
  }
}
