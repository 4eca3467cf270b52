package io.karst.core.internal;

import java.nio.ByteBuffer;

/**
 * Persistent reservations (SPC-4 5.13), as far as Karst has them: no initiator can register a
 * key yet (PERSISTENT RESERVE OUT is not supported), so READ KEYS and READ RESERVATION report
 * the true state, generation 0 with no keys and no reservation. Initiators and cleanup code
 * that only look at the state get a straight answer rather than an unsupported opcode.
 */
final class Pr {

  static final int PERSISTENT_RESERVE_IN = 0x5E;
  private static final int READ_KEYS = 0x00;
  private static final int READ_RESERVATION = 0x01;

  private Pr() {}

  static void reserveIn(CoreTask task) throws io.karst.api.scsi.SenseException {
    byte[] cdb = task.cdb();
    int action = cdb[1] & 0x1F;
    if (action != READ_KEYS && action != READ_RESERVATION) {
      throw Cdb.invalidField(1, 4);
    }
    ByteBuffer b = ByteBuffer.allocate(8);
    b.putInt(0).putInt(0);
    task.respond(b.array(), Cdb.u16(cdb, 7));
  }
}
