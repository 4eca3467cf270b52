package io.karst.iscsi.internal;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Operational text key negotiation (RFC 7143 6.2, 13): for each key the initiator sends, the
 * target's answer under the key's own rule (declarative, list, minimum, maximum, boolean AND or
 * OR), and the negotiated value recorded in {@link Params}.
 *
 * <p>Digests are answered None for now: CRC32C comes with the digest work, which plugs in at
 * the codec. Markers are answered No, as RFC 7143 retired them.
 */
final class Negotiation {

  /** Keys that mean nothing in a discovery session (RFC 7143 13, "Irrelevant when..."). */
  private static final Set<String> NORMAL_ONLY = Set.of("MaxConnections", "InitialR2T",
      "ImmediateData", "MaxBurstLength", "FirstBurstLength", "MaxOutstandingR2T",
      "DataPDUInOrder", "DataSequenceInOrder");
  /** Keys the initiator declares that need no answer. */
  private static final Set<String> DECLARATIVE =
      Set.of("InitiatorName", "InitiatorAlias", "TargetName", "SessionType");

  private final Params offers;
  final Params result;
  private boolean declaredRecvLength;

  Negotiation(Params offers) {
    this.offers = offers;
    this.result = offers.unnegotiated();
  }

  /**
   * Answers one request's keys. Declarative keys are recorded; unknown ones are answered
   * NotUnderstood, malformed values Reject.
   */
  Map<String, String> answer(Map<String, String> keys) {
    Map<String, String> out = new LinkedHashMap<>();
    for (var e : keys.entrySet()) {
      String key = e.getKey();
      String value = e.getValue();
      if (DECLARATIVE.contains(key)) {
        declare(key, value);
        continue;
      }
      if (result.discovery && NORMAL_ONLY.contains(key)) {
        out.put(key, "Irrelevant");
        continue;
      }
      String answer;
      try {
        answer = negotiate(key, value);
      } catch (IllegalArgumentException ex) {
        answer = "Reject";
      }
      if (answer != null) {
        out.put(key, answer);
      }
    }
    return out;
  }

  private void declare(String key, String value) {
    switch (key) {
      case "InitiatorName" -> result.initiatorName = value;
      case "InitiatorAlias" -> result.initiatorAlias = value;
      case "TargetName" -> result.targetName = value;
      default -> result.discovery = "Discovery".equals(value);
    }
  }

  /** The answer to one key, or null when the key needs none. */
  private String negotiate(String key, String value) {
    switch (key) {
      case "HeaderDigest", "DataDigest" -> {
        return Arrays.asList(value.split(",")).contains("None") ? "None" : "Reject";
      }
      case "AuthMethod" -> {
        return Arrays.asList(value.split(",")).contains("None") ? "None" : "Reject";
      }
      case "MaxConnections" -> {
        number(value, 1, 65535);
        return "1";
      }
      case "InitialR2T" -> {
        result.initialR2T = bool(value) || offers.initialR2T;
        return yesNo(result.initialR2T);
      }
      case "ImmediateData" -> {
        result.immediateData = bool(value) && offers.immediateData;
        return yesNo(result.immediateData);
      }
      case "MaxRecvDataSegmentLength" -> {
        result.peerMaxRecvDataSegmentLength = number(value, 512, (1 << 24) - 1);
        declaredRecvLength = true;
        return Integer.toString(offers.maxRecvDataSegmentLength);
      }
      case "MaxBurstLength" -> {
        result.maxBurstLength = Math.min(number(value, 512, (1 << 24) - 1), offers.maxBurstLength);
        result.firstBurstLength = Math.min(result.firstBurstLength, result.maxBurstLength);
        return Integer.toString(result.maxBurstLength);
      }
      case "FirstBurstLength" -> {
        result.firstBurstLength = Math.min(Math.min(number(value, 512, (1 << 24) - 1),
            offers.firstBurstLength), result.maxBurstLength);
        return Integer.toString(result.firstBurstLength);
      }
      case "DefaultTime2Wait" -> {
        result.defaultTime2Wait = Math.max(number(value, 0, 3600), 2);
        return Integer.toString(result.defaultTime2Wait);
      }
      case "DefaultTime2Retain" -> {
        result.defaultTime2Retain = Math.min(number(value, 0, 3600), 20);
        return Integer.toString(result.defaultTime2Retain);
      }
      case "MaxOutstandingR2T" -> {
        result.maxOutstandingR2T = Math.min(number(value, 1, 65535), offers.maxOutstandingR2T);
        return Integer.toString(result.maxOutstandingR2T);
      }
      case "DataPDUInOrder", "DataSequenceInOrder" -> {
        bool(value);
        return "Yes";
      }
      case "ErrorRecoveryLevel" -> {
        number(value, 0, 2);
        return "0";
      }
      case "IFMarker", "OFMarker" -> {
        bool(value);
        return "No";
      }
      case "IFMarkInt", "OFMarkInt" -> {
        return "Irrelevant";
      }
      case "TargetAlias", "TargetAddress", "TargetPortalGroupTag" -> {
        // Declared by targets only; an initiator sending one is out of turn.
        return "Irrelevant";
      }
      case "SendTargets" -> {
        return "Irrelevant";
      }
      default -> {
        return "NotUnderstood";
      }
    }
  }

  /**
   * Keys the target declares whether or not the initiator asked: MaxRecvDataSegmentLength, so
   * the initiator need not assume 8192. Called when the operational stage ends.
   */
  void declareOwn(Map<String, String> out) {
    if (!declaredRecvLength) {
      out.putIfAbsent("MaxRecvDataSegmentLength",
          Integer.toString(offers.maxRecvDataSegmentLength));
      declaredRecvLength = true;
    }
  }

  private static int number(String value, int min, int max) {
    long n;
    try {
      n = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(value);
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(value);
    }
    return (int) n;
  }

  private static boolean bool(String value) {
    return switch (value) {
      case "Yes" -> true;
      case "No" -> false;
      default -> throw new IllegalArgumentException(value);
    };
  }

  private static String yesNo(boolean b) {
    return b ? "Yes" : "No";
  }
}
