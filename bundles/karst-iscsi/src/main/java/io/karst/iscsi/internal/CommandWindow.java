package io.karst.iscsi.internal;

/**
 * A session's command numbering (RFC 7143 4.2.2.1): ExpCmdSN, the next CmdSN the target
 * delivers, and MaxCmdSN, the last one the initiator may send, compared in serial number
 * arithmetic (RFC 1982, 32 bits) as the numbers wrap.
 *
 * <p>The window holds {@code queue_depth} commands in all: MaxCmdSN is ExpCmdSN plus the
 * depth, less the commands delivered to core and not yet answered, less one. So an initiator
 * never has more than the depth outstanding, whether they wait in core or in the window. As
 * initiators ignore a MaxCmdSN lower than one they have seen, it is never lowered: it waits
 * for ExpCmdSN to catch up instead.
 *
 * <p>The connections of a session share the window, each on its own event loop, hence the
 * lock.
 */
final class CommandWindow {

  private final int depth;
  private int expCmdSN;
  private int maxCmdSN;
  private int inProgress;

  /** A window starting at the CmdSN of the leading login request. */
  CommandWindow(int cmdSN, int depth) {
    this.depth = depth;
    this.expCmdSN = cmdSN;
    this.maxCmdSN = cmdSN + depth - 1;
  }

  /** Serial number order (RFC 1982) of 32-bit sequence numbers: whether a comes before b. */
  static boolean before(int a, int b) {
    return b - a > 0;
  }

  synchronized int expCmdSN() {
    return expCmdSN;
  }

  /** The MaxCmdSN to advertise now. */
  synchronized int maxCmdSN() {
    return advertised();
  }

  private int advertised() {
    int max = expCmdSN + Math.max(0, depth - inProgress) - 1;
    if (before(maxCmdSN, max)) {
      maxCmdSN = max;
    }
    return maxCmdSN;
  }

  /**
   * Writes ExpCmdSN and MaxCmdSN, which every target PDU after login carries, read together
   * under one lock: a consistent pair, at one lock per PDU.
   */
  synchronized Pdu stamp(Pdu pdu) {
    return pdu.set32(Pdu.EXP_CMD_SN, expCmdSN).set32(Pdu.MAX_CMD_SN, advertised());
  }

  /** Whether a CmdSN is the next to deliver, and the initiator was allowed to send it. */
  synchronized boolean expected(int cmdSN) {
    return cmdSN == expCmdSN && !before(maxCmdSN, cmdSN);
  }

  /** Whether a CmdSN lies in the window beyond ExpCmdSN: one to hold until its turn. */
  synchronized boolean ahead(int cmdSN) {
    return before(expCmdSN, cmdSN) && !before(maxCmdSN, cmdSN);
  }

  /** The expected command was delivered. */
  synchronized void advance() {
    expCmdSN++;
  }

  /** {@link #advance}s when a CmdSN is the {@link #expected} one, and says whether it did. */
  synchronized boolean advanceIfExpected(int cmdSN) {
    if (!expected(cmdSN)) {
      return false;
    }
    expCmdSN++;
    return true;
  }

  /** A command went to core. */
  synchronized void started() {
    inProgress++;
  }

  /** A command's answer was sent, or dropped with its connection. */
  synchronized void finished() {
    inProgress--;
  }
}
