package io.karst.iscsi.internal;

import io.karst.api.target.Session;

/**
 * An iSCSI session (RFC 7143 3.4): its identity (ISID, TSIH), negotiated parameters, the
 * core nexus of a normal session, and the command numbering shared by its connections. One
 * connection per session for now (MaxConnections 1); every field is used on that connection's
 * event loop only.
 */
final class IscsiSession {

  final byte[] isid;
  final int tsih;
  final Params params;
  final String targetName;
  /** The core nexus; null for a discovery session. */
  final Session nexus;
  /** The next CmdSN expected in order (RFC 7143 4.2.2.1). */
  int expCmdSN;
  /** The highest CmdSN advertised so far; never lowered, as initiators ignore a lower one. */
  int maxCmdSN;

  IscsiSession(byte[] isid, int tsih, Params params, String targetName, Session nexus,
      int cmdSN) {
    this.isid = isid;
    this.tsih = tsih;
    this.params = params;
    this.targetName = targetName;
    this.nexus = nexus;
    this.expCmdSN = cmdSN;
    this.maxCmdSN = cmdSN - 1;
  }

  boolean discovery() {
    return nexus == null;
  }

  /** Serial number comparison (RFC 1982) of 32-bit sequence numbers: a before b. */
  static boolean before(int a, int b) {
    return a != b && (b - a) > 0;
  }
}
