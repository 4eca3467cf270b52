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

  /** Bytes 2 to 11 of the mode page as last selected: flags, MRIE, interval, count. */
  private volatile byte[] current = defaults();

  private static byte[] defaults() {
    byte[] p = new byte[PAGE_LENGTH];
    p[0] = 0x08; // DEXCPT: no informational exception operations
    return p;
  }

  /** The mode page's current values, or its changeable mask. */
  byte[] modePage(boolean changeable) {
    ByteBuffer b = ByteBuffer.allocate(2 + PAGE_LENGTH);
    b.put((byte) MODE_PAGE).put((byte) PAGE_LENGTH);
    if (changeable) {
      b.put((byte) FLAGS).put((byte) MRIE).putInt(-1).putInt(-1);
    } else {
      b.put(current);
    }
    return b.array();
  }

  /** Takes the page's values from a MODE SELECT parameter list already checked. */
  void select(ByteBuffer list, int at) {
    byte[] values = new byte[PAGE_LENGTH];
    list.get(at + 2, values);
    current = values;
  }

  /**
   * The log page's one parameter (0000h): no informational exception (ASC and ASCQ 0), and no
   * temperature reading (FFh), since the device has no sensor.
   */
  static byte[] logParameters() {
    return new byte[] {0, 0, 0x03, 0x03, 0, 0, (byte) 0xFF};
  }
}
