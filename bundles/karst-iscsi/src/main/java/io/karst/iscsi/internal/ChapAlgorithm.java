package io.karst.iscsi.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The CHAP digests an initiator may offer in CHAP_A (RFC 7143 12.1.3, RFC 1994), by their
 * numbers in IANA's PPP authentication algorithm registry, which Linux's target and
 * open-iscsi use too: MD5 5, SHA-1 6, SHA-256 7, SHA3-256 8. The constants are in order of
 * strength; the target takes the strongest one offered.
 */
enum ChapAlgorithm {
  MD5(5, "MD5"),
  SHA1(6, "SHA-1"),
  SHA256(7, "SHA-256"),
  SHA3_256(8, "SHA3-256");

  final int number;
  private final String jcaName;

  ChapAlgorithm(int number, String jcaName) {
    this.number = number;
    this.jcaName = jcaName;
  }

  /**
   * The strongest algorithm of a CHAP_A list (numbers separated by commas, each decimal or
   * hexadecimal with 0x as RFC 7143 6.1 allows); null when none is one of these. Values that
   * are not numbers are ignored, as an unknown algorithm is.
   */
  static ChapAlgorithm strongest(String offered) {
    ChapAlgorithm best = null;
    for (String n : offered.split(",")) {
      int number;
      try {
        number = Negotiation.number(n.trim(), 0, Integer.MAX_VALUE);
      } catch (IllegalArgumentException e) {
        continue;
      }
      for (ChapAlgorithm a : values()) {
        if (number == a.number && (best == null || a.ordinal() > best.ordinal())) {
          best = a;
        }
      }
    }
    return best;
  }

  /** The digest's length: also the length of the challenges the target sends. */
  int length() {
    return digest().getDigestLength();
  }

  /** RFC 1994 4.1: the hash of the identifier, the secret and the challenge, in that order. */
  byte[] response(int identifier, byte[] secret, byte[] challenge) {
    MessageDigest d = digest();
    d.update((byte) identifier);
    d.update(secret);
    d.update(challenge);
    return d.digest();
  }

  private MessageDigest digest() {
    try {
      return MessageDigest.getInstance(jcaName);
    } catch (NoSuchAlgorithmException e) {
      // Every Java SE runtime has these four (Java Security Standard Algorithm Names).
      throw new IllegalStateException(jcaName + " is missing from this Java runtime", e);
    }
  }
}
