package io.karst.vcdrom.internal;

import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.Status;
import io.karst.api.scsi.Task;
import java.nio.ByteBuffer;

/** Reading CDB fields and answering with parameter data, for the MMC commands. */
final class Cdb {

  private Cdb() {}

  static int u8(byte[] cdb, int at) {
    return cdb[at] & 0xFF;
  }

  static int u16(byte[] cdb, int at) {
    return (u8(cdb, at) << 8) | u8(cdb, at + 1);
  }

  static long u32(byte[] cdb, int at) {
    return ((long) u16(cdb, at) << 16) | u16(cdb, at + 2);
  }

  /** INVALID FIELD IN CDB pointing at a byte, and at a bit of it when {@code bit} is 0..7. */
  static SenseException invalidField(int byteOffset, int bit) {
    return new SenseException(Sense.INVALID_FIELD_IN_CDB.withFieldPointer(true, byteOffset, bit));
  }

  /** INVALID FIELD IN PARAMETER LIST pointing at a byte of the Data-Out. */
  static SenseException invalidParameter(int byteOffset) {
    return new SenseException(
        Sense.INVALID_FIELD_IN_PARAMETER_LIST.withFieldPointer(false, byteOffset, -1));
  }

  /** Sends {@code data}, cut to the CDB's allocation length, with GOOD status. */
  static void respond(Task task, byte[] data, int allocationLength) {
    int n = Math.min(data.length, allocationLength);
    if (n > 0) {
      ByteBuffer b = task.allocateDataIn(n);
      b.clear();
      b.put(data, 0, n);
    }
    task.complete(Status.GOOD, null);
  }

  static void good(Task task) {
    task.complete(Status.GOOD, null);
  }
}
