package io.karst.core.internal;

import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An iSCSI TransportID (SPC-4 7.6.4.6), the name persistent reservations give an initiator:
 * format 01b names one initiator port (the iSCSI name, {@code ",i,0x"} and the ISID), format
 * 00b an initiator device, and with it every port of that name. iSCSI names compare without
 * regard to case (RFC 3722), and so do ISIDs written in hexadecimal.
 *
 * <p>A driver that gives core no TransportID of its own (the in-JVM one) has its initiator
 * name taken as an iSCSI name of format 00b: such a port is known by its name alone.
 */
final class TransportId {

  static final int ISCSI = 0x05;
  private static final String SEPARATOR = ",i,0x";

  private final String name;
  /** The ISID in lower-case hexadecimal, or null for a device (format 00b). */
  private final String isid;

  private TransportId(String name, String isid) {
    this.name = name;
    this.isid = isid;
  }

  /** Parses the text form, {@code name} or {@code name,i,0xISID}, as {@link #toString} gives. */
  static TransportId of(String text) {
    int at = text.toLowerCase(Locale.ROOT).indexOf(SEPARATOR);
    if (at < 0) {
      return new TransportId(text, null);
    }
    String isid = text.substring(at + SEPARATOR.length()).toLowerCase(Locale.ROOT);
    if (isid.isEmpty() || !isid.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new IllegalArgumentException("ISID " + isid + " is not hexadecimal");
    }
    if (at == 0) {
      throw new IllegalArgumentException("no iSCSI name before " + SEPARATOR);
    }
    return new TransportId(text.substring(0, at), isid);
  }

  /** The port of a session: from the driver's TransportID, else from the initiator's name. */
  static TransportId ofSession(String initiator, byte[] transportId) {
    if (transportId == null) {
      return new TransportId(initiator, null);
    }
    try {
      return read(ByteBuffer.wrap(transportId));
    } catch (SenseException e) {
      throw new IllegalArgumentException("the driver's TransportID for " + initiator
          + " is not an iSCSI TransportID");
    }
  }

  /**
   * Reads one TransportID from a parameter list, advancing past it; anything but a
   * well-formed iSCSI one is INVALID FIELD IN PARAMETER LIST.
   */
  static TransportId read(ByteBuffer b) throws SenseException {
    if (b.remaining() < 4) {
      throw invalid();
    }
    int first = b.get() & 0xFF;
    b.get();
    int length = b.getShort() & 0xFFFF;
    int format = first >>> 6;
    if ((first & 0x0F) != ISCSI || format > 1 || length < 4 || length % 4 != 0
        || b.remaining() < length) {
      throw invalid();
    }
    byte[] text = new byte[length];
    b.get(text);
    int end = 0;
    while (end < text.length && text[end] != 0) {
      end++;
    }
    if (end == 0 || end == text.length) {
      throw invalid();
    }
    String s = new String(text, 0, end, StandardCharsets.UTF_8);
    try {
      TransportId id = of(s);
      if ((id.isid != null) != (format == 1)) {
        throw invalid();
      }
      return id;
    } catch (IllegalArgumentException e) {
      throw invalid();
    }
  }

  private static SenseException invalid() {
    return new SenseException(Sense.INVALID_FIELD_IN_PARAMETER_LIST);
  }

  /**
   * The TransportID as READ FULL STATUS reports it: NUL-terminated text padded to a multiple
   * of four bytes, at least 20 (SPC-4 table 386).
   */
  byte[] encode() {
    byte[] text = toString().getBytes(StandardCharsets.UTF_8);
    int length = Math.max(20, (text.length + 1 + 3) / 4 * 4);
    ByteBuffer b = ByteBuffer.allocate(4 + length);
    b.put((byte) ((isid == null ? 0 : 0x40) | ISCSI)).put((byte) 0).putShort((short) length);
    b.put(text);
    return b.array();
  }

  /** Whether this identifies {@code port}: the same port, or the device it belongs to. */
  boolean covers(TransportId port) {
    return name.equalsIgnoreCase(port.name) && (isid == null || isid.equals(port.isid));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TransportId t && name.equalsIgnoreCase(t.name)
        && java.util.Objects.equals(isid, t.isid);
  }

  @Override
  public int hashCode() {
    return name.toLowerCase(Locale.ROOT).hashCode();
  }

  @Override
  public String toString() {
    return isid == null ? name : name + SEPARATOR + isid;
  }
}
