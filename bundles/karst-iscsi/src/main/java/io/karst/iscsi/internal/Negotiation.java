package io.karst.iscsi.internal;

import io.karst.api.target.Target;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Login key negotiation (RFC 7143 6.2, 13): for each key the initiator sends, the target's
 * answer under the key's own rule, and the outcome recorded in {@link #result}.
 *
 * <ul>
 *   <li>Declarations: InitiatorName, InitiatorAlias, TargetName, SessionType are recorded
 *       without answer; MaxRecvDataSegmentLength is declarative per direction: the initiator's
 *       limits what the target sends, and the target answers with its own.
 *   <li>Lists (HeaderDigest, DataDigest): the first of the initiator's values that the
 *       target accepts, CRC32C or None ({@link Crc32c}), as its attributes of those names
 *       say. AuthMethod and the CHAP keys are
 *       the security stage's ({@link Chap}).
 *   <li>Minimum: MaxConnections (at most the target's), MaxBurstLength, FirstBurstLength (never above
 *       MaxBurstLength), MaxOutstandingR2T, DefaultTime2Retain, ErrorRecoveryLevel (0).
 *   <li>TaskReporting: RFC3720, the only semantics offered; iSCSIProtocolLevel: the minimum
 *       of the initiator's and 1; X#NodeArchitecture is a declaration.
 *   <li>Maximum: DefaultTime2Wait. Boolean OR: InitialR2T, DataPDUInOrder,
 *       DataSequenceInOrder. Boolean AND: ImmediateData, IFMarker, OFMarker (No: RFC 7143
 *       retired markers, so IFMarkInt and OFMarkInt are Irrelevant).
 *   <li>Keys only a target declares (TargetAlias, TargetAddress, TargetPortalGroupTag) and
 *       SendTargets, sent by an initiator at login, are Irrelevant; session-wide keys in a
 *       discovery session likewise, and leading-only keys in a login that adds a
 *       connection to a session.
 *   <li>Anything else, other X- and X# extension keys included, is NotUnderstood; a value
 *       outside its key's syntax or range is answered Reject.
 * </ul>
 */
final class Negotiation {

  /**
   * Keys of the leading login only (RFC 7143 13, "LO"): a connection joining a session takes
   * the session's values, and is answered Irrelevant for them.
   */
  private static final Set<String> LEADING_ONLY = Set.of("MaxConnections", "InitialR2T",
      "ImmediateData", "MaxBurstLength", "FirstBurstLength", "DefaultTime2Wait",
      "DefaultTime2Retain", "MaxOutstandingR2T", "DataPDUInOrder", "DataSequenceInOrder",
      "ErrorRecoveryLevel", "TaskReporting", "iSCSIProtocolLevel");

  /** Keys that mean nothing in a discovery session (RFC 7143 13, "Irrelevant when..."). */
  private static final Set<String> NORMAL_ONLY = Set.of("MaxConnections", "InitialR2T",
      "ImmediateData", "MaxBurstLength", "FirstBurstLength", "MaxOutstandingR2T",
      "DataPDUInOrder", "DataSequenceInOrder", "TaskReporting", "iSCSIProtocolLevel");

  /**
   * The iSCSI protocol level this target implements (RFC 7143 13.24): 1, RFC 7143 itself; not
   * 2, whose SAM-4 task management functions (QUERY TASK, I_T NEXUS RESET...) it lacks.
   */
  static final int PROTOCOL_LEVEL = 1;

  private static final String CRC32C = "CRC32C";
  /** The digests this target implements, the default of what it accepts. */
  static final List<String> DIGESTS = List.of(CRC32C, "None");

  private Params offers;
  final Params result;
  private boolean declaredRecvLength;
  private List<String> headerDigests = DIGESTS;
  private List<String> dataDigests = DIGESTS;
  /** The most connections the target allows a session, its answer's upper bound. */
  private int maxConnections = 1;
  /** Whether the login adds a connection to a session (TSIH not 0). */
  private boolean joining;

  Negotiation(Params offers) {
    this.offers = offers;
    this.result = offers.unnegotiated();
  }

  /**
   * Records a request's declarations before its keys are answered: SessionType decides which
   * keys are relevant, and TargetName whose settings apply, wherever they stand in the request.
   */
  void declare(Map<String, String> keys) throws LoginRefusal {
    String type = keys.get("SessionType");
    if (type != null) {
      switch (type) {
        case "Discovery" -> result.discovery = true;
        case "Normal" -> result.discovery = false;
        default -> throw new LoginRefusal(LoginRefusal.SESSION_TYPE_NOT_SUPPORTED,
            "SessionType " + type);
      }
    }
    try {
      if (keys.containsKey("InitiatorName")) {
        result.initiatorName = name(keys.get("InitiatorName"));
      }
      if (keys.containsKey("TargetName")) {
        result.targetName = name(keys.get("TargetName"));
      }
    } catch (IllegalArgumentException e) {
      // Answered Reject with the other keys.
    }
  }

  /**
   * Sets the offers of the target the login is for, in place of the driver's; before any key
   * is answered.
   */
  void offer(Params target) {
    offers = target;
    result.assumeUnnegotiated(target);
  }

  /**
   * Sets the digests the target accepts (a target's HeaderDigest and DataDigest attributes);
   * both CRC32C and None until then.
   */
  void accept(List<String> headerDigests, List<String> dataDigests) {
    this.headerDigests = headerDigests;
    this.dataDigests = dataDigests;
  }

  /** Sets the most connections the target allows a session (its MaxConnections attribute). */
  void allowConnections(int max) {
    this.maxConnections = max;
  }

  /**
   * The login adds a connection to this session: the session-wide keys keep the session's
   * values, and the leading-only ones are answered Irrelevant.
   */
  void join(Params session) {
    joining = true;
    result.joinSession(session);
  }

  /** Answers one request's keys, in their order, after {@link #declare}. */
  Map<String, String> answer(Map<String, String> keys) {
    Map<String, String> out = new LinkedHashMap<>();
    for (var e : keys.entrySet()) {
      String key = e.getKey();
      String value = e.getValue();
      String answer;
      if ((result.discovery && NORMAL_ONLY.contains(key))
          || (joining && LEADING_ONLY.contains(key))) {
        answer = "Irrelevant";
      } else {
        try {
          answer = negotiate(key, value);
        } catch (IllegalArgumentException ex) {
          answer = "Reject";
        }
      }
      if (answer != null) {
        out.put(key, answer);
      }
    }
    return out;
  }

  /** The answer to one key, or null for a declaration that needs none. */
  private String negotiate(String key, String value) {
    switch (key) {
      case "InitiatorName", "TargetName" -> {
        name(value);
        return null;
      }
      case "SessionType", "InitiatorAlias", "X#NodeArchitecture" -> {
        // Declarations; nothing a target does may depend on X#NodeArchitecture (13.26).
        return null;
      }
      case "TaskReporting" -> {
        // RFC3720 semantics only: no response fence, no fast multi-task abort (13.23).
        return firstAccepted(value, List.of("RFC3720"));
      }
      case "iSCSIProtocolLevel" -> {
        return Integer.toString(Math.min(number(value, 0, 31), PROTOCOL_LEVEL));
      }
      case "HeaderDigest" -> {
        String d = firstAccepted(value, headerDigests);
        result.headerDigest = d.equals(CRC32C);
        return d;
      }
      case "DataDigest" -> {
        String d = firstAccepted(value, dataDigests);
        result.dataDigest = d.equals(CRC32C);
        return d;
      }
      case "MaxConnections" -> {
        result.maxConnections = Math.min(number(value, 1, 65535), maxConnections);
        return Integer.toString(result.maxConnections);
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
        result.peerMaxRecvDataSegmentLength = Math.min(number(value, 512, Params.MAX_LENGTH),
            offers.maxXmitDataSegmentLength);
        declaredRecvLength = true;
        return Integer.toString(offers.maxRecvDataSegmentLength);
      }
      case "MaxBurstLength" -> {
        result.maxBurstLength = Math.min(number(value, 512, Params.MAX_LENGTH), offers.maxBurstLength);
        return Integer.toString(result.maxBurstLength);
      }
      case "FirstBurstLength" -> {
        result.firstBurstLength =
            Math.min(number(value, 512, Params.MAX_LENGTH), offers.firstBurstLength);
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
      case "IFMarkInt", "OFMarkInt", "TargetAlias", "TargetAddress", "TargetPortalGroupTag",
          "SendTargets" -> {
        return "Irrelevant";
      }
      default -> {
        return "NotUnderstood";
      }
    }
  }

  /**
   * Ends the operational stage: FirstBurstLength may not exceed MaxBurstLength whatever order
   * the keys came in (RFC 7143 13.14), and the target declares its MaxRecvDataSegmentLength
   * even when the initiator did not ask, so that the initiator need not assume 8192.
   */
  void finish(Map<String, String> answers) {
    result.firstBurstLength = Math.min(result.firstBurstLength, result.maxBurstLength);
    if (answers.containsKey("FirstBurstLength")) {
      answers.put("FirstBurstLength", Integer.toString(result.firstBurstLength));
    }
    if (!declaredRecvLength) {
      // Unless the initiator's declaration was answered Reject in this very response.
      answers.putIfAbsent("MaxRecvDataSegmentLength",
          Integer.toString(offers.maxRecvDataSegmentLength));
      declaredRecvLength = true;
    }
  }

  /**
   * A list's outcome (RFC 7143 6.2.1): the first of the initiator's values that the
   * target accepts; Reject when there is none.
   */
  private static String firstAccepted(String value, List<String> accepted) {
    for (String d : list(value)) {
      if (accepted.contains(d)) {
        return d;
      }
    }
    return "Reject";
  }

  /**
   * The digests a target accepts for a digest key, from its attribute of the key's name:
   * CRC32C, None, or both separated by a comma; both when it has none.
   *
   * @throws IllegalArgumentException naming the target and attribute for anything else
   */
  static List<String> accepted(Target target, String key) {
    String value = target.attributes().get(key);
    if (value == null) {
      return DIGESTS;
    }
    List<String> d = list(value.replace(" ", ""));
    if (!DIGESTS.containsAll(d)) {
      throw new IllegalArgumentException("TARGET " + target.name() + ": " + key + " '" + value
          + "' is not CRC32C, None, or both separated by a comma");
    }
    return d;
  }

  private static String name(String value) {
    if (value.isEmpty() || value.length() > 223) {
      throw new IllegalArgumentException(value);
    }
    return value;
  }

  private static List<String> list(String value) {
    return Arrays.asList(value.split(","));
  }

  /** A numerical value (RFC 7143 6.1): decimal, or hexadecimal with 0x. */
  static int number(String value, int min, int max) {
    long n;
    try {
      n = value.startsWith("0x") || value.startsWith("0X")
          ? Long.parseLong(value.substring(2), 16) : Long.parseLong(value);
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
