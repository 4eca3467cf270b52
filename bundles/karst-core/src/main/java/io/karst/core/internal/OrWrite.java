package io.karst.core.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.scsi.SenseException;
import java.nio.ByteBuffer;

/**
 * ORWRITE(16) (SBC-3 5.11) with BMOP 0: each block becomes the OR of its contents and the
 * Data-Out, read and written back holding the range exclusively in the device's
 * {@link RangeLock}, so no other command on the range comes between the read and the write.
 */
final class OrWrite {

  static final int ORWRITE_16 = 0x8B;

  private OrWrite() {}

  static void execute(CoreTask task, Lun lun, BlockBackend backend) throws SenseException {
    byte[] cdb = task.cdb();
    if ((cdb[1] & 0xE0) != 0) {
      throw Cdb.invalidField(1, 7);
    }
    if ((cdb[14] & 0x07) != 0) {
      throw Cdb.invalidField(14, 2); // BMOP other than 0: no bitmap operations
    }
    Sbc.Range r = new Sbc.Range(Cdb.u64(cdb, 2), Cdb.u32(cdb, 10));
    boolean fua = (cdb[1] & 0x08) != 0;
    Sbc.receiveBlocks(task, lun, backend, r, data -> lun.device().ranges.exclusive(task,
        r.lba(), data.remaining() / backend.blockSize(), hold -> {
          int n = data.remaining();
          long offset = r.lba() * backend.blockSize();
          ByteBuffer medium = ByteBuffer.allocate(n);
          backend.read(offset, medium, hold.endingOnFailure(task.io(false, r.lba(), () -> {
            for (int i = 0; i < n; i++) {
              medium.put(i, (byte) (medium.get(i) | data.get(i)));
            }
            medium.clear();
            backend.write(offset, medium, fua, hold.ending(task.io(true, r.lba(), task::good)));
          })));
        }));
  }
}
