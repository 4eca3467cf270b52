package io.karst.iscsi.internal;

import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;
import io.karst.api.target.SessionDetails;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * What the management view shows of an iSCSI session and its connections, under iscsi-scst's
 * names: the session identifier and the keys its login negotiated, under their RFC 7143 names
 * (the connection-only keys as the leading connection has them), and per connection its CID,
 * the initiator's address, the portal it reached, its state and its own keys. A connection's
 * node is named by the initiator's address, a second one from the same address with
 * {@code _1}, and so on, as iscsi-scst names them.
 */
final class SessionAttributes {

  static final String SID = "sid";
  static final String CID = "cid";
  static final String IP = "ip";
  static final String PORT = "port";
  static final String PORTAL = "portal";
  static final String STATE = "state";
  static final String HEADER_DIGEST = "HeaderDigest";
  static final String DATA_DIGEST = "DataDigest";
  static final String MAX_RECV = "MaxRecvDataSegmentLength";
  static final String MAX_XMIT = "MaxXmitDataSegmentLength";

  /** The connection states: logged in and serving, or on its way out. */
  static final String ESTABLISHED = "established";
  static final String CLOSING = "closing";

  private static final List<AttributeDescriptor> CONNECTION_KEYS = List.of(
      string(HEADER_DIGEST, "The header digest: CRC32C or None"),
      string(DATA_DIGEST, "The data digest: CRC32C or None"),
      integer(MAX_RECV, "The largest data segment the target accepts"),
      integer(MAX_XMIT, "The largest data segment the target sends: the initiator's "
          + "MaxRecvDataSegmentLength"));

  static final List<AttributeDescriptor> SESSION = concat(List.of(
      string(SID, "The session identifier: the ISID and the TSIH, in hexadecimal")),
      CONNECTION_KEYS.stream().map(a -> AttributeDescriptor.builder(a.name(), a.type())
          .description(a.description() + ", on the leading connection").build()).toList(),
      List.of(
      string("InitialR2T", "Whether the initiator waits for an R2T before unsolicited data"),
      string("ImmediateData", "Whether data may come with the command"),
      integer("MaxConnections", "The most connections the session may have"),
      integer("MaxBurstLength", "The most data of one sequence"),
      integer("FirstBurstLength", "The most unsolicited data of one command"),
      integer("DefaultTime2Wait", "Seconds to wait before a logout's reconnection"),
      integer("DefaultTime2Retain", "Seconds a task may be reassigned after a connection "
          + "ends"),
      integer("MaxOutstandingR2T", "The most R2Ts outstanding per task"),
      string("DataPDUInOrder", "Whether Data PDUs of a sequence come in order"),
      string("DataSequenceInOrder", "Whether data sequences come in order"),
      integer("ErrorRecoveryLevel", "The error recovery level")));

  static final List<AttributeDescriptor> CONNECTION = concat(List.of(
      integer(CID, "The connection ID"),
      string(IP, "The initiator's address"),
      integer(PORT, "The initiator's TCP port"),
      string(PORTAL, "The target portal the connection reached, address:port"),
      string(STATE, "established (logged in, serving) or closing")), CONNECTION_KEYS);

  private SessionAttributes() {}

  /** What a session and its connections show now. */
  static SessionDetails of(IscsiSession session) {
    List<IscsiConnection> connections = session.connections();
    Map<String, String> attributes = new HashMap<>();
    attributes.put(SID, HexFormat.of().formatHex(session.isid)
        + String.format("%04x", session.tsih));
    Params p = session.params;
    if (!connections.isEmpty() && connections.get(0).params() != null) {
      keys(connections.get(0).params(), attributes);
    }
    attributes.put("InitialR2T", yesNo(p.initialR2T));
    attributes.put("ImmediateData", yesNo(p.immediateData));
    attributes.put("MaxConnections", String.valueOf(p.maxConnections));
    attributes.put("MaxBurstLength", String.valueOf(p.maxBurstLength));
    attributes.put("FirstBurstLength", String.valueOf(p.firstBurstLength));
    attributes.put("DefaultTime2Wait", String.valueOf(p.defaultTime2Wait));
    attributes.put("DefaultTime2Retain", String.valueOf(p.defaultTime2Retain));
    attributes.put("MaxOutstandingR2T", String.valueOf(p.maxOutstandingR2T));
    // Always so here (Params): the keys this target answers one way only.
    attributes.put("DataPDUInOrder", yesNo(true));
    attributes.put("DataSequenceInOrder", yesNo(true));
    attributes.put("ErrorRecoveryLevel", "0");
    List<SessionDetails.Connection> shown = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (IscsiConnection c : connections) {
      Map<String, String> a = new HashMap<>();
      a.put(CID, String.valueOf(c.cid));
      a.put(STATE, c.active() ? ESTABLISHED : CLOSING);
      String ip = "unknown";
      if (c.channel.remoteAddress() instanceof InetSocketAddress remote) {
        ip = address(remote);
        a.put(IP, ip);
        a.put(PORT, String.valueOf(remote.getPort()));
      }
      InetSocketAddress local = c.localAddress();
      if (local != null) {
        a.put(PORTAL, Discovery.address(local));
      }
      if (c.params() != null) {
        keys(c.params(), a);
      }
      String name = ip;
      for (int n = 1; names.contains(name); n++) {
        name = ip + "_" + n;
      }
      names.add(name);
      shown.add(new SessionDetails.Connection(name, a));
    }
    return new SessionDetails(attributes, shown);
  }

  /** The keys each connection negotiates for itself. */
  private static void keys(Params p, Map<String, String> out) {
    out.put(HEADER_DIGEST, p.headerDigest ? "CRC32C" : "None");
    out.put(DATA_DIGEST, p.dataDigest ? "CRC32C" : "None");
    out.put(MAX_RECV, String.valueOf(p.maxRecvDataSegmentLength));
    out.put(MAX_XMIT, String.valueOf(p.peerMaxRecvDataSegmentLength));
  }

  /**
   * An address as iscsi-scst shows it, IPv6 in brackets, and in the form discovery announces it
   * ({@link Discovery#host}: RFC 5952's short form, no scope).
   */
  static String address(InetSocketAddress s) {
    String host = s.getAddress() == null ? s.getHostString() : Discovery.host(s.getAddress());
    return host.contains(":") ? "[" + host + "]" : host;
  }

  private static String yesNo(boolean b) {
    return b ? "Yes" : "No";
  }

  private static AttributeDescriptor string(String name, String description) {
    return AttributeDescriptor.builder(name, AttributeType.STRING).description(description)
        .build();
  }

  private static AttributeDescriptor integer(String name, String description) {
    return AttributeDescriptor.builder(name, AttributeType.INTEGER).description(description)
        .build();
  }

  @SafeVarargs
  private static List<AttributeDescriptor> concat(List<AttributeDescriptor>... lists) {
    List<AttributeDescriptor> out = new ArrayList<>();
    for (List<AttributeDescriptor> l : lists) {
      out.addAll(l);
    }
    return List.copyOf(out);
  }
}
