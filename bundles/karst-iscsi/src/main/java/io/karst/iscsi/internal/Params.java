package io.karst.iscsi.internal;

import java.util.Map;

/**
 * A connection's operational parameters (RFC 7143 13): the target's offers from the driver's
 * attributes before login, the negotiated values after. The session-wide ones are the leading
 * connection's, which the others {@linkplain #joinSession copy}; MaxRecvDataSegmentLength and the
 * digests are each connection's own. Keys this target always answers the same way
 * (ErrorRecoveryLevel 0, DataPDUInOrder and DataSequenceInOrder Yes) have no field.
 */
final class Params {

  /** RFC 7143 13.12: what either side assumes of the other until it declares otherwise. */
  static final int DEFAULT_DATA_SEGMENT_LENGTH = 8192;

  /** What this side accepts in one data segment, declared to the initiator. */
  int maxRecvDataSegmentLength;
  /** What the initiator declared it accepts: the most this side sends in one segment. */
  int peerMaxRecvDataSegmentLength = DEFAULT_DATA_SEGMENT_LENGTH;
  /** The most this side sends in one segment whatever the initiator declares. */
  int maxXmitDataSegmentLength = MAX_LENGTH;
  int maxBurstLength;
  int firstBurstLength;
  boolean initialR2T;
  boolean immediateData;
  int maxOutstandingR2T;
  int defaultTime2Wait = 2;
  int defaultTime2Retain = 20;
  /** RFC 7143 13.2: one connection unless the initiator asks for more. */
  int maxConnections = 1;
  /** Whether PDUs carry a CRC32C header digest, and a data digest, after login. */
  boolean headerDigest;
  boolean dataDigest;
  boolean discovery;
  String initiatorName;
  String targetName;

  /**
   * A connection joins a session: it takes the session-wide values the leading login
   * negotiated, keeping its own connection-only ones.
   */
  void joinSession(Params session) {
    maxBurstLength = session.maxBurstLength;
    firstBurstLength = session.firstBurstLength;
    initialR2T = session.initialR2T;
    immediateData = session.immediateData;
    maxOutstandingR2T = session.maxOutstandingR2T;
    defaultTime2Wait = session.defaultTime2Wait;
    defaultTime2Retain = session.defaultTime2Retain;
    maxConnections = session.maxConnections;
  }

  /** The largest length RFC 7143 13 allows for the length keys. */
  static final int MAX_LENGTH = (1 << 24) - 1;

  /**
   * The target's offers, from the driver's canonical attributes.
   *
   * @throws IllegalArgumentException for a value outside the range RFC 7143 13 gives its key
   */
  static Params offers(Map<String, String> attributes) {
    Params p = new Params();
    p.maxRecvDataSegmentLength = attribute(attributes, "max_recv_data_segment_length", 512,
        MAX_LENGTH);
    p.maxBurstLength = attribute(attributes, "max_burst_length", 512, MAX_LENGTH);
    p.firstBurstLength = attribute(attributes, "first_burst_length", 512, p.maxBurstLength);
    p.maxOutstandingR2T = attribute(attributes, "max_outstanding_r2t", 1, 65535);
    p.initialR2T = "1".equals(attributes.get("initial_r2t"));
    p.immediateData = "1".equals(attributes.get("immediate_data"));
    return p;
  }

  /**
   * The offers of one target: the driver's, each replaced by the target's attribute of the
   * key's name where it has one (iscsi-scst's per-target keys, so an scst.conf applies).
   *
   * @throws IllegalArgumentException naming the target and the attribute, for a value outside
   *     its key's range or a FirstBurstLength above the MaxBurstLength
   */
  Params forTarget(io.karst.api.target.Target target) {
    Params p = new Params();
    p.maxRecvDataSegmentLength = targetAttribute(target, "MaxRecvDataSegmentLength", 512,
        MAX_LENGTH, maxRecvDataSegmentLength);
    p.maxXmitDataSegmentLength = targetAttribute(target, "MaxXmitDataSegmentLength", 512,
        MAX_LENGTH, maxXmitDataSegmentLength);
    p.maxBurstLength = targetAttribute(target, "MaxBurstLength", 512, MAX_LENGTH,
        maxBurstLength);
    p.firstBurstLength = targetAttribute(target, "FirstBurstLength", 512, p.maxBurstLength,
        Math.min(firstBurstLength, p.maxBurstLength));
    p.maxOutstandingR2T = targetAttribute(target, "MaxOutstandingR2T", 1, 65535,
        maxOutstandingR2T);
    p.initialR2T = targetFlag(target, "InitialR2T", initialR2T);
    p.immediateData = targetFlag(target, "ImmediateData", immediateData);
    return p;
  }

  /** A boolean attribute of a target (canonical: 0 or 1), or {@code dflt} when it has none. */
  private static boolean targetFlag(io.karst.api.target.Target target, String name,
      boolean dflt) {
    String v = target.attributes().get(name);
    return v == null || v.isBlank() ? dflt : v.trim().equals("1");
  }

  /** An integer attribute of the driver, checked against its range. */
  static int attribute(Map<String, String> attributes, String name, int min, int max) {
    long v = Long.parseLong(attributes.get(name));
    if (v < min || v > max) {
      throw new IllegalArgumentException(name + " " + v + " is not " + min + " to " + max);
    }
    return (int) v;
  }

  /**
   * An integer attribute of a target, checked against its range; {@code dflt} when the target
   * has none.
   *
   * @throws IllegalArgumentException naming the target and the attribute
   */
  static int targetAttribute(io.karst.api.target.Target target, String name, int min, int max,
      int dflt) {
    String v = target.attributes().get(name);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      return Negotiation.number(v.trim(), min, max);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("TARGET " + target.name() + ": " + name + " '" + v
          + "' is not " + min + " to " + max);
    }
  }

  /**
   * The values that hold for keys the initiator does not negotiate: the RFC's defaults (13.13
   * to 13.17), bounded by the target's offers where those are stricter, as the target would
   * otherwise have to propose keys itself.
   */
  Params unnegotiated() {
    Params p = new Params();
    p.assumeUnnegotiated(this);
    return p;
  }

  /** Sets the values of {@link #unnegotiated} for these offers, keeping the declarations. */
  void assumeUnnegotiated(Params offers) {
    maxRecvDataSegmentLength = offers.maxRecvDataSegmentLength;
    peerMaxRecvDataSegmentLength = Math.min(DEFAULT_DATA_SEGMENT_LENGTH,
        offers.maxXmitDataSegmentLength);
    maxBurstLength = Math.min(262144, offers.maxBurstLength);
    firstBurstLength = Math.min(65536, offers.firstBurstLength);
    initialR2T = true;
    immediateData = offers.immediateData;
    maxOutstandingR2T = 1;
  }
}
