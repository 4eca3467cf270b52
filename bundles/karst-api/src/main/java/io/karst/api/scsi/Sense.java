package io.karst.api.scsi;

import java.nio.ByteBuffer;

/**
 * Sense data: a sense key with its additional sense code and qualifier (ASC, ASCQ), and the
 * optional fields that SPC-4 lets a device server report with them.
 *
 * <p>Instances are immutable. The constants name the conditions every device server reports;
 * the {@code with...} methods add the information field (for instance the LBA of a medium
 * error) or the sense-key specific field (for instance the byte and bit of an invalid CDB
 * field). {@link #encode} writes the fixed format (response code 70h) that every initiator
 * understands, or the descriptor format (72h) of a sense made with {@link #inFormat}, which a
 * logical unit returns when its control mode page's D_SENSE bit is set.
 */
public final class Sense {

  /** Fixed format sense data length, up to and including the sense-key specific bytes. */
  public static final int FIXED_LENGTH = 18;

  public static final Sense INVALID_COMMAND_OPERATION_CODE =
      new Sense(SenseKey.ILLEGAL_REQUEST, 0x20, 0x00);
  public static final Sense LBA_OUT_OF_RANGE = new Sense(SenseKey.ILLEGAL_REQUEST, 0x21, 0x00);
  public static final Sense INVALID_FIELD_IN_CDB = new Sense(SenseKey.ILLEGAL_REQUEST, 0x24, 0x00);
  public static final Sense LOGICAL_UNIT_NOT_SUPPORTED =
      new Sense(SenseKey.ILLEGAL_REQUEST, 0x25, 0x00);
  public static final Sense INVALID_FIELD_IN_PARAMETER_LIST =
      new Sense(SenseKey.ILLEGAL_REQUEST, 0x26, 0x00);
  public static final Sense PARAMETER_LIST_LENGTH_ERROR =
      new Sense(SenseKey.ILLEGAL_REQUEST, 0x1A, 0x00);
  public static final Sense SAVING_PARAMETERS_NOT_SUPPORTED =
      new Sense(SenseKey.ILLEGAL_REQUEST, 0x39, 0x00);
  /** The logical unit cannot serve commands now, for a reason it cannot report. */
  public static final Sense LOGICAL_UNIT_NOT_READY = new Sense(SenseKey.NOT_READY, 0x04, 0x00);
  /** The logical unit is offline until an administrator brings its backend back. */
  public static final Sense LOGICAL_UNIT_NOT_READY_MANUAL_INTERVENTION =
      new Sense(SenseKey.NOT_READY, 0x04, 0x03);
  public static final Sense MEDIUM_NOT_PRESENT = new Sense(SenseKey.NOT_READY, 0x3A, 0x00);
  /**
   * A removable medium stays in: a nexus prevents its removal (PREVENT ALLOW MEDIUM REMOVAL),
   * so an eject, a load or an administrator's change of it is refused.
   */
  public static final Sense MEDIUM_REMOVAL_PREVENTED =
      new Sense(SenseKey.ILLEGAL_REQUEST, 0x53, 0x02);
  public static final Sense UNRECOVERED_READ_ERROR = new Sense(SenseKey.MEDIUM_ERROR, 0x11, 0x00);
  public static final Sense WRITE_ERROR = new Sense(SenseKey.MEDIUM_ERROR, 0x0C, 0x00);
  public static final Sense WRITE_PROTECTED = new Sense(SenseKey.DATA_PROTECT, 0x27, 0x00);
  public static final Sense INTERNAL_TARGET_FAILURE =
      new Sense(SenseKey.HARDWARE_ERROR, 0x44, 0x00);
  public static final Sense POWER_ON_RESET_OCCURRED =
      new Sense(SenseKey.UNIT_ATTENTION, 0x29, 0x00);
  public static final Sense REPORTED_LUNS_DATA_HAS_CHANGED =
      new Sense(SenseKey.UNIT_ATTENTION, 0x3F, 0x0E);
  public static final Sense CAPACITY_DATA_HAS_CHANGED =
      new Sense(SenseKey.UNIT_ATTENTION, 0x2A, 0x09);
  public static final Sense COMMANDS_CLEARED_BY_ANOTHER_INITIATOR =
      new Sense(SenseKey.UNIT_ATTENTION, 0x2F, 0x00);
  public static final Sense ABORTED_COMMAND_NO_ASC = new Sense(SenseKey.ABORTED_COMMAND, 0x00, 0x00);
  public static final Sense DATA_PHASE_ERROR = new Sense(SenseKey.ABORTED_COMMAND, 0x4B, 0x00);
  public static final Sense MISCOMPARE_DURING_VERIFY = new Sense(SenseKey.MISCOMPARE, 0x1D, 0x00);

  private static final int NO_FIELD = -1;

  private final SenseKey key;
  private final int asc;
  private final int ascq;
  private final long information;
  private final boolean informationValid;
  /** Sense-key specific bytes 15..17 with SKSV set, or {@link #NO_FIELD}. */
  private final int senseKeySpecific;
  private final boolean descriptorFormat;
  /** The command-specific information field, or {@link #NO_COMMAND_SPECIFIC}. */
  private final long commandSpecific;

  private static final long NO_COMMAND_SPECIFIC = -1;

  public Sense(SenseKey key, int asc, int ascq) {
    this(key, asc, ascq, 0, false, NO_FIELD, false, NO_COMMAND_SPECIFIC);
  }

  private Sense(SenseKey key, int asc, int ascq, long information, boolean informationValid,
      int sks, boolean descriptorFormat, long commandSpecific) {
    this.key = key;
    this.asc = asc & 0xFF;
    this.ascq = ascq & 0xFF;
    this.information = information;
    this.informationValid = informationValid;
    this.senseKeySpecific = sks;
    this.descriptorFormat = descriptorFormat;
    this.commandSpecific = commandSpecific;
  }

  public SenseKey key() {
    return key;
  }

  public int asc() {
    return asc;
  }

  public int ascq() {
    return ascq;
  }

  /** Whether the information field is valid (the VALID bit). */
  public boolean hasInformation() {
    return informationValid;
  }

  /** The information field, for instance the first LBA in error. */
  public long information() {
    return information;
  }

  /** This sense with its information field set, for instance to the LBA of a medium error. */
  public Sense withInformation(long value) {
    return new Sense(key, asc, ascq, value, true, senseKeySpecific, descriptorFormat,
        commandSpecific);
  }

  /**
   * This sense with a field pointer (SPC-4 4.5.2.4.2): the byte, and the bit when {@code bit}
   * is 0 to 7, of the field in error, in the CDB when {@code inCdb} or else in the parameter
   * list.
   */
  public Sense withFieldPointer(boolean inCdb, int byteOffset, int bit) {
    int sks = 0x800000 | (inCdb ? 0x400000 : 0) | (byteOffset & 0xFFFF);
    if (bit >= 0 && bit <= 7) {
      sks |= 0x080000 | (bit << 16);
    }
    return new Sense(key, asc, ascq, information, informationValid, sks, descriptorFormat,
        commandSpecific);
  }

  /**
   * This sense with its command-specific information field set (SPC-4 4.5.2.3), for instance
   * the number of the segment descriptor an EXTENDED COPY failed in. The value is a number
   * of at most 32 bits, right-aligned in the field: its 4 bytes in fixed format, its 8 in
   * descriptor format.
   */
  public Sense withCommandSpecificInformation(long value) {
    if (value < 0 || value > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("command-specific information " + value);
    }
    return new Sense(key, asc, ascq, information, informationValid, senseKeySpecific,
        descriptorFormat, value);
  }

  /** The command-specific information field, or -1 when it is not set. */
  public long commandSpecificInformation() {
    return commandSpecific;
  }

  /**
   * This sense with a progress indication (SPC-4 4.5.2.4.4): how much of an operation that
   * keeps the logical unit not ready is done, in 65536ths ({@code 0} to {@code 0xFFFF}), as a
   * format or sanitize in progress reports it.
   */
  public Sense withProgressIndication(int done) {
    int sks = 0x800000 | Math.max(0, Math.min(done, 0xFFFF));
    return new Sense(key, asc, ascq, information, informationValid, sks, descriptorFormat,
        commandSpecific);
  }

  /**
   * This sense in descriptor format (SPC-4 4.5.2) when {@code descriptor}, else in fixed
   * format (4.5.3), with the same fields.
   */
  public Sense inFormat(boolean descriptor) {
    return descriptor == descriptorFormat ? this
        : new Sense(key, asc, ascq, information, informationValid, senseKeySpecific, descriptor,
            commandSpecific);
  }

  /** Whether {@link #encode} writes descriptor format sense data. */
  public boolean descriptorFormat() {
    return descriptorFormat;
  }

  /** The length of the sense data {@link #encode} writes. */
  public int length() {
    if (!descriptorFormat) {
      return FIXED_LENGTH;
    }
    return 8 + (informationValid ? 12 : 0) + (commandSpecific != NO_COMMAND_SPECIFIC ? 12 : 0)
        + (senseKeySpecific != NO_FIELD ? 8 : 0);
  }

  /** The sense-key specific field with SKSV set, or -1 when there is none. */
  public int senseKeySpecific() {
    return senseKeySpecific;
  }

  /** Writes the sense data, {@link #length} bytes, at the buffer's position. */
  public void encode(ByteBuffer out) {
    if (descriptorFormat) {
      encodeDescriptors(out);
      return;
    }
    int start = out.position();
    out.put((byte) ((informationValid ? 0x80 : 0) | 0x70));
    out.put((byte) 0);
    out.put((byte) key.code());
    out.putInt((int) information);
    out.put((byte) (FIXED_LENGTH - 8));
    out.putInt(commandSpecific != NO_COMMAND_SPECIFIC ? (int) commandSpecific : 0);
    out.put((byte) asc);
    out.put((byte) ascq);
    out.put((byte) 0);
    if (senseKeySpecific != NO_FIELD) {
      out.put((byte) (senseKeySpecific >>> 16));
      out.put((byte) (senseKeySpecific >>> 8));
      out.put((byte) senseKeySpecific);
    } else {
      out.put((byte) 0).put((byte) 0).put((byte) 0);
    }
    assert out.position() - start == FIXED_LENGTH;
  }

  /**
   * Descriptor format: the header, then an information descriptor (type 00h) and a sense-key
   * specific descriptor (02h) for the fields that are set.
   */
  private void encodeDescriptors(ByteBuffer out) {
    out.put((byte) 0x72).put((byte) key.code()).put((byte) asc).put((byte) ascq);
    out.put((byte) 0).put((byte) 0).put((byte) 0).put((byte) (length() - 8));
    if (informationValid) {
      out.put((byte) 0x00).put((byte) 0x0A).put((byte) 0x80).put((byte) 0).putLong(information);
    }
    if (commandSpecific != NO_COMMAND_SPECIFIC) {
      out.put((byte) 0x01).put((byte) 0x0A).put((byte) 0).put((byte) 0).putLong(commandSpecific);
    }
    if (senseKeySpecific != NO_FIELD) {
      out.put((byte) 0x02).put((byte) 0x06).put((byte) 0).put((byte) 0);
      out.put((byte) (senseKeySpecific >>> 16)).put((byte) (senseKeySpecific >>> 8))
          .put((byte) senseKeySpecific).put((byte) 0);
    }
  }

  /** The sense data in a new array, in its format. */
  public byte[] toBytes() {
    byte[] b = new byte[length()];
    encode(ByteBuffer.wrap(b));
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sense s
        && s.key == key
        && s.asc == asc
        && s.ascq == ascq
        && s.information == information
        && s.informationValid == informationValid
        && s.senseKeySpecific == senseKeySpecific
        && s.descriptorFormat == descriptorFormat
        && s.commandSpecific == commandSpecific;
  }

  @Override
  public int hashCode() {
    return (key.hashCode() * 31 + (asc << 8 | ascq)) * 31 + Long.hashCode(information);
  }

  @Override
  public String toString() {
    StringBuilder b =
        new StringBuilder(key.name()).append(String.format(" ASC/ASCQ %02Xh/%02Xh", asc, ascq));
    if (informationValid) {
      b.append(" info ").append(information);
    }
    return b.toString();
  }
}
