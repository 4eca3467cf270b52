package io.karst.core.internal;

import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;

/**
 * Reading the fields of a CDB (SPC-4 4.2), big-endian as SCSI puts them, and the CDB length
 * that each operation code group implies.
 */
final class Cdb {

  private Cdb() {}

  static int u8(byte[] cdb, int at) {
    return cdb[at] & 0xFF;
  }

  static int u16(byte[] cdb, int at) {
    return (u8(cdb, at) << 8) | u8(cdb, at + 1);
  }

  static int u24(byte[] cdb, int at) {
    return (u16(cdb, at) << 8) | u8(cdb, at + 2);
  }

  static long u32(byte[] cdb, int at) {
    return ((long) u16(cdb, at) << 16) | u16(cdb, at + 2);
  }

  static long u64(byte[] cdb, int at) {
    return (u32(cdb, at) << 32) | u32(cdb, at + 4);
  }

  /**
   * The length of a CDB with this operation code, from its group code (SPC-4 table 3), or 0
   * for the reserved and vendor-specific groups, whose length the CDB does not tell.
   */
  static int length(int opcode) {
    return switch (opcode >>> 5) {
      case 0 -> 6;
      case 1, 2 -> 10;
      case 4 -> 16;
      case 5 -> 12;
      default -> 0;
    };
  }

  /** INVALID FIELD IN CDB pointing at a byte, and at a bit of it when {@code bit} is 0..7. */
  static SenseException invalidField(int byteOffset, int bit) {
    return new SenseException(Sense.INVALID_FIELD_IN_CDB.withFieldPointer(true, byteOffset, bit));
  }

  /**
   * INVALID FIELD IN PARAMETER LIST pointing at a byte of the Data-Out, and at a bit of it
   * when {@code bit} is 0..7.
   */
  static SenseException invalidParameter(int byteOffset, int bit) {
    return new SenseException(
        Sense.INVALID_FIELD_IN_PARAMETER_LIST.withFieldPointer(false, byteOffset, bit));
  }

  /**
   * Checks the CDB's length for its group and the control byte: NACA is refused because
   * standard INQUIRY data reports NormACA 0 (SAM-5 5.9.1.1).
   */
  static void checkFrame(byte[] cdb) throws SenseException {
    int length = length(u8(cdb, 0));
    if (length != 0 && cdb.length < length) {
      throw new SenseException(Sense.INVALID_FIELD_IN_CDB);
    }
    int control = length == 0 ? cdb.length - 1 : length - 1;
    if (control > 0 && (cdb[control] & 0x04) != 0) {
      throw invalidField(control, 2);
    }
  }
}
