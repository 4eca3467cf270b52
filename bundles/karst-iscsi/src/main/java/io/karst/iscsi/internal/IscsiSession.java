package io.karst.iscsi.internal;

import io.karst.api.target.Session;

/**
 * An iSCSI session (RFC 7143 3.4): its identity (ISID, TSIH), the negotiated parameters, the
 * core nexus of a normal session, and the command window its connections share. It has one
 * connection for now (MaxConnections 1), so every field is used on that connection's event
 * loop; connections are {@link IscsiConnection}s, so that more can join later.
 */
final class IscsiSession {

  final byte[] isid;
  final int tsih;
  final Params params;
  /** The core nexus; null for a discovery session. */
  final Session nexus;
  final CommandWindow window;

  IscsiSession(byte[] isid, int tsih, Params params, Session nexus, CommandWindow window) {
    this.isid = isid;
    this.tsih = tsih;
    this.params = params;
    this.nexus = nexus;
    this.window = window;
  }

  boolean discovery() {
    return nexus == null;
  }

  /** Ends the core nexus, if any; idempotent as {@link Session#close()} is. */
  void close() {
    if (nexus != null) {
      nexus.close();
    }
  }

  String describe() {
    return (discovery() ? "discovery session" : "session to " + params.targetName) + " of "
        + params.initiatorName + " (ISID " + java.util.HexFormat.of().formatHex(isid)
        + ", TSIH " + tsih + ")";
  }
}
