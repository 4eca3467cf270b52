package io.karst.core.internal;

import java.nio.ByteBuffer;

/**
 * Informational exceptions (SPC-4 5.11): the Informational Exceptions Control mode page (7.5.12)
 * and the Informational Exceptions log page (7.3.8). A virtual device has no failure
 * prediction, so no informational exception condition ever exists: the page's reporting
 * controls are kept as MODE SELECT sets them and reported back, and the log page reports
 * "no exception". TEST, which would make the device invent one, stays zero and unchangeable.
 */
final class InformationalExceptions {

  static final int MODE_PAGE = 0x1C;
  static final int LOG_PAGE = 0x2F;
  private static final int PAGE_LENGTH = 0x0A;
  /** Changeable bits of byte 2: EWASC, DEXCPT; and the MRIE field of byte 3. */
  private static final int FLAGS = 0x18;
  private static final int MRIE = 0x0F;
  /** The last MRIE value that is not reserved (SPC-4 table 443). */
  private static final int MRIE_ON_REQUEST = 0x06;

  /** Bytes 2 to 11 of the mode page as last selected: flags, MRIE, interval, count. */
  private volatile byte[] current = defaults();

  /** The page's default values: DEXCPT, no informational exception operations. */
  static byte[] defaults() {
    byte[] p = new byte[PAGE_LENGTH];
    p[0] = 0x08;
    return p;
  }

  /**
   * The mode page with {@code values} (bytes 2 to 11), or its changeable mask when {@code
   * values} is null.
   */
  static byte[] modePage(byte[] values) {
    ByteBuffer b = ByteBuffer.allocate(2 + PAGE_LENGTH);
    b.put((byte) MODE_PAGE).put((byte) PAGE_LENGTH);
    if (values == null) {
      b.put((byte) FLAGS).put((byte) MRIE).putInt(-1).putInt(-1);
    } else {
      b.put(values);
    }
    return b.array();
  }

  /** Whether an MRIE value is reserved. */
  static boolean reservedMrie(int mrie) {
    return mrie > MRIE_ON_REQUEST;
  }

  /**
   * Returns {@code values} when they are bytes 2 to 11 of a page MODE SELECT could have set:
   * unchangeable bits zero, MRIE not reserved.
   */
  static byte[] checked(byte[] values) {
    if (values.length != PAGE_LENGTH || (values[0] & ~FLAGS) != 0 || (values[1] & ~MRIE) != 0
        || reservedMrie(values[1])) {
      throw new IllegalArgumentException("not the values of an informational exceptions "
          + "control page");
    }
    return values;
  }

  /** The current values, bytes 2 to 11 of the page. */
  byte[] values() {
    return current.clone();
  }

  /** Takes new current values, already checked. */
  void values(byte[] values) {
    current = values.clone();
  }

  /**
   * The log page's one parameter (0000h): no informational exception (ASC and ASCQ 0), and no
   * temperature reading (FFh), since the device has no sensor.
   */
  static byte[] logParameters() {
    return new byte[] {0, 0, 0x03, 0x03, 0, 0, (byte) 0xFF};
  }
}
