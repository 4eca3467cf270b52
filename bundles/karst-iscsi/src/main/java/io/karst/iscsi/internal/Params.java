package io.karst.iscsi.internal;

import java.util.Map;

/**
 * A session's operational parameters (RFC 7143 13): the target's offers from the driver's
 * attributes before login, the negotiated values after. The defaults are the RFC's, which hold
 * for any key the initiator does not negotiate.
 */
final class Params {

  /** What this side accepts in one data segment, declared to the initiator. */
  int maxRecvDataSegmentLength;
  /** What the initiator declared it accepts: the most this side sends in one segment. */
  int peerMaxRecvDataSegmentLength = 8192;
  int maxBurstLength;
  int firstBurstLength;
  boolean initialR2T;
  boolean immediateData;
  int maxOutstandingR2T;
  int defaultTime2Wait = 2;
  int defaultTime2Retain = 20;
  boolean discovery;
  String initiatorName;
  String initiatorAlias;
  String targetName;

  /** The target's offers, from the driver's attributes. */
  static Params offers(Map<String, String> attributes) {
    Params p = new Params();
    p.maxRecvDataSegmentLength = Integer.parseInt(attributes.get("max_recv_data_segment_length"));
    p.maxBurstLength = Integer.parseInt(attributes.get("max_burst_length"));
    p.firstBurstLength = Integer.parseInt(attributes.get("first_burst_length"));
    p.maxOutstandingR2T = Integer.parseInt(attributes.get("max_outstanding_r2t"));
    p.initialR2T = "1".equals(attributes.get("initial_r2t"));
    p.immediateData = "1".equals(attributes.get("immediate_data"));
    return p;
  }

  /**
   * The values that hold before or without negotiation: what the RFC says for keys the
   * initiator does not offer, bounded by the target's offers where those are smaller.
   */
  Params unnegotiated() {
    Params p = new Params();
    p.maxRecvDataSegmentLength = maxRecvDataSegmentLength;
    p.maxBurstLength = Math.min(262144, maxBurstLength);
    p.firstBurstLength = Math.min(65536, firstBurstLength);
    p.initialR2T = true;
    p.immediateData = immediateData;
    p.maxOutstandingR2T = 1;
    return p;
  }
}
