package io.karst.core.internal;

import java.nio.ByteBuffer;

/**
 * Persistent reservations (SPC-4 5.13), as far as Karst has them: no initiator can register a
 * key yet (PERSISTENT RESERVE OUT is not supported), so every PERSISTENT RESERVE IN service
 * action reports the true state: generation 0, no keys, no reservation, and capabilities with
 * an empty type mask. Initiators and cleanup code that only look get a straight answer rather
 * than an unsupported opcode.
 */
final class Pr {

  static final int PERSISTENT_RESERVE_IN = 0x5E;
  private static final int READ_KEYS = 0x00;
  private static final int READ_RESERVATION = 0x01;
  private static final int REPORT_CAPABILITIES = 0x02;
  private static final int READ_FULL_STATUS = 0x03;

  private Pr() {}

  static void reserveIn(CoreTask task) throws io.karst.api.scsi.SenseException {
    byte[] cdb = task.cdb();
    int action = cdb[1] & 0x1F;
    ByteBuffer b = ByteBuffer.allocate(8);
    switch (action) {
      case READ_KEYS, READ_RESERVATION, READ_FULL_STATUS -> b.putInt(0).putInt(0);
      // Length 8, no capability bits, TYPE MASK VALID with no type: nothing can be reserved.
      case REPORT_CAPABILITIES -> b.putShort((short) 8).put((byte) 0).put((byte) 0x80);
      default -> throw Cdb.invalidField(1, 4);
    }
    task.respond(b.array(), Cdb.u16(cdb, 7));
  }
}
