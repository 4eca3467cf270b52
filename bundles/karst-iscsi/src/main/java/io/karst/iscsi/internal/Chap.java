package io.karst.iscsi.internal;

import io.karst.iscsi.internal.ChapUsers.User;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The security stage of one login (RFC 7143 12.1, 12.1.3): AuthMethod, then CHAP (RFC 1994)
 * when the target has incoming users.
 *
 * <ol>
 *   <li>AuthMethod: a target with users answers CHAP and refuses a list without it (None is
 *       not enough); one without users answers None, and refuses a list without None, as it
 *       has no secret to check.
 *   <li>CHAP_A: the target takes the strongest algorithm offered ({@link ChapAlgorithm}) and
 *       answers it with CHAP_I and CHAP_C, a fresh identifier and challenge from {@link
 *       SecureRandom}, the challenge as long as the digest.
 *   <li>CHAP_N and CHAP_R: the response must be the hash of the identifier, the secret of the
 *       incoming user CHAP_N names and the challenge, compared in constant time. With CHAP_I
 *       and CHAP_C the initiator asks the target to prove itself too (mutual CHAP): the
 *       target answers with its outgoing user's name and response, after checking that the
 *       challenge is not its own sent back (RFC 7143 12.1.3: a reflection) and that the
 *       initiator's response is not the one the outgoing secret would give (the same secret
 *       both ways).
 * </ol>
 *
 * Anything out of turn or wrong refuses the login with an authentication failure; messages
 * name the user, never a secret or response.
 */
final class Chap {

  private static final SecureRandom RANDOM = new SecureRandom();
  /** Stands in for the secret of an unknown user, so that one is checked like any other. */
  private static final byte[] UNKNOWN_USER = new byte[ChapUsers.MIN_SECRET];
  /** The longest binary CHAP value, a challenge or a secret (RFC 7143 12.1.3). */
  static final int MAX_VALUE = 1024;

  static {
    RANDOM.nextBytes(UNKNOWN_USER);
  }

  private enum State { START, ALGORITHM, RESPONSE, DONE }

  private final ChapUsers users;
  private State state = State.START;
  private ChapAlgorithm algorithm;
  private int identifier;
  private byte[] challenge;
  /** The incoming user that authenticated, or null. */
  String user;

  Chap(ChapUsers users) {
    this.users = users;
  }

  /** Whether the initiator may leave the security stage. */
  boolean passed() {
    return state == State.DONE || (state == State.START && !users.required());
  }

  /** Whether CHAP is under way: the target waits for the initiator's next step. */
  boolean exchanging() {
    return state == State.ALGORITHM || state == State.RESPONSE;
  }

  /**
   * Answers the security keys of one request (AuthMethod and CHAP_*), in order.
   *
   * @throws LoginRefusal an authentication failure, for anything out of turn or wrong
   */
  Map<String, String> answer(Map<String, String> keys) throws LoginRefusal {
    Map<String, String> out = new LinkedHashMap<>();
    State before = state;
    String method = keys.get("AuthMethod");
    if (method != null) {
      authMethod(method, out);
    }
    String offered = keys.get("CHAP_A");
    if (offered != null) {
      if (state != State.ALGORITHM) {
        throw failure("CHAP_A out of turn");
      }
      algorithm(offered, out);
    } else if (before == State.ALGORITHM) {
      throw failure("no CHAP_A after AuthMethod CHAP");
    }
    boolean response = keys.containsKey("CHAP_N") || keys.containsKey("CHAP_R");
    if ((response && state != State.RESPONSE) || (before == State.RESPONSE && !response)) {
      throw failure(response ? "CHAP_N or CHAP_R out of turn" : "no CHAP_N and CHAP_R after "
          + "the challenge");
    }
    if (response) {
      verify(keys, out);
    } else if (keys.containsKey("CHAP_I") || keys.containsKey("CHAP_C")) {
      throw failure("CHAP_I or CHAP_C without CHAP_N and CHAP_R");
    }
    return out;
  }

  private void authMethod(String method, Map<String, String> out) throws LoginRefusal {
    if (state != State.START) {
      throw failure("AuthMethod offered again");
    }
    List<String> offered = Arrays.asList(method.split(","));
    if (users.required()) {
      if (!offered.contains("CHAP")) {
        throw failure("AuthMethod " + method + ": this target requires CHAP");
      }
      out.put("AuthMethod", "CHAP");
      state = State.ALGORITHM;
    } else {
      if (!offered.contains("None")) {
        throw failure("AuthMethod " + method + " without None, and no " + ChapUsers.INCOMING
            + " is configured to check it");
      }
      out.put("AuthMethod", "None");
      state = State.DONE;
    }
  }

  private void algorithm(String offered, Map<String, String> out) throws LoginRefusal {
    algorithm = ChapAlgorithm.strongest(offered);
    if (algorithm == null) {
      throw failure("CHAP_A " + offered + " offers none of MD5 (5), SHA-1 (6), SHA-256 (7), "
          + "SHA3-256 (8)");
    }
    identifier = RANDOM.nextInt(256);
    challenge = new byte[algorithm.length()];
    RANDOM.nextBytes(challenge);
    out.put("CHAP_A", Integer.toString(algorithm.number));
    out.put("CHAP_I", Integer.toString(identifier));
    out.put("CHAP_C", TextKeys.hex(challenge));
    state = State.RESPONSE;
  }

  private void verify(Map<String, String> keys, Map<String, String> out) throws LoginRefusal {
    String name = keys.get("CHAP_N");
    byte[] response = binary(keys.get("CHAP_R"), "CHAP_R");
    if (name == null) {
      throw failure("CHAP_R without CHAP_N");
    }
    User u = users.incoming(name);
    byte[] expected = algorithm.response(identifier, u == null ? UNKNOWN_USER : u.secret(),
        challenge);
    if (!MessageDigest.isEqual(expected, response) || u == null) {
      throw failure("CHAP_N " + name + ": " + (u == null ? "no such " + ChapUsers.INCOMING
          : "wrong response"));
    }
    User outgoing = users.outgoing;
    if (outgoing != null && MessageDigest.isEqual(response,
        algorithm.response(identifier, outgoing.secret(), challenge))) {
      throw failure("CHAP_N " + name + ": the response is the target's own");
    }
    String i = keys.get("CHAP_I");
    String c = keys.get("CHAP_C");
    if (i != null || c != null) {
      if (i == null || c == null) {
        throw failure("CHAP_I and CHAP_C come together");
      }
      if (outgoing == null) {
        throw failure("the initiator asks the target to authenticate (mutual CHAP), but no "
            + ChapUsers.OUTGOING + " is configured");
      }
      int theirIdentifier;
      try {
        theirIdentifier = Negotiation.number(i, 0, 255);
      } catch (IllegalArgumentException e) {
        throw failure("CHAP_I " + i + " is not 0 to 255");
      }
      byte[] theirChallenge = binary(c, "CHAP_C");
      if (theirChallenge.length == 0 || theirChallenge.length > MAX_VALUE) {
        throw failure("CHAP_C of " + theirChallenge.length + " bytes");
      }
      if (MessageDigest.isEqual(theirChallenge, challenge)) {
        throw failure("CHAP_C is the target's own challenge (a reflection)");
      }
      out.put("CHAP_N", outgoing.name());
      out.put("CHAP_R", TextKeys.hex(
          algorithm.response(theirIdentifier, outgoing.secret(), theirChallenge)));
    }
    user = name;
    state = State.DONE;
  }

  private static byte[] binary(String value, String key) throws LoginRefusal {
    if (value == null) {
      throw failure(key + " is missing");
    }
    try {
      return TextKeys.binary(value);
    } catch (IllegalArgumentException e) {
      throw failure(key + " is " + e.getMessage());
    }
  }

  private static LoginRefusal failure(String message) {
    return new LoginRefusal(LoginRefusal.AUTHENTICATION_FAILURE, message);
  }
}
