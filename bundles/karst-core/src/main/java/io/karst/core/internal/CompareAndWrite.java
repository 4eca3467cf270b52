package io.karst.core.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import java.nio.ByteBuffer;

/**
 * COMPARE AND WRITE (SBC-3 5.2): reads the blocks, compares them with the first half of the
 * Data-Out and writes the second half only if they match, as one step. The step holds its
 * range exclusively in the device's {@link RangeLock}, so no other command on the range (a
 * WRITE, another COMPARE AND WRITE: VMware's atomic test and set) comes between the compare
 * and the write.
 */
final class CompareAndWrite {

  static final int COMPARE_AND_WRITE = 0x89;
  /** The most blocks one command compares and writes (Block Limits VPD page). */
  static final int MAX_BLOCKS = 255;

  private CompareAndWrite() {}

  static void execute(CoreTask task, Lun lun, BlockBackend backend) throws SenseException {
    byte[] cdb = task.cdb();
    if ((cdb[1] & 0xE0) != 0) {
      throw Cdb.invalidField(1, 7);
    }
    int blocks = Cdb.u8(cdb, 13);
    Sbc.Range r = new Sbc.Range(Cdb.u64(cdb, 2), blocks);
    Sbc.checkRange(r, backend);
    if (lun.writeProtected()) {
      throw new SenseException(Sense.WRITE_PROTECTED);
    }
    int half = blocks * backend.blockSize();
    if (task.expectedTransferLength() != 2 * half) {
      // The Data-Out must hold both halves exactly; anything else is a malformed request (a
      // count of 256 blocks, say, which the one-byte field wraps to zero).
      throw Cdb.invalidField(13, -1);
    }
    if (blocks == 0) {
      task.good();
      return;
    }
    boolean fua = (cdb[1] & 0x08) != 0;
    task.receive(2 * half, data -> lun.device().ranges.exclusive(task, r.lba(), r.blocks(),
        hold -> compareThenWrite(task, backend, hold, r, data, half, fua)));
  }

  private static void compareThenWrite(CoreTask task, BlockBackend backend, RangeLock.Hold hold,
      Sbc.Range r, ByteBuffer data, int half, boolean fua) {
    long offset = r.lba() * backend.blockSize();
    ByteBuffer medium = ByteBuffer.allocate(half);
    backend.read(offset, medium, hold.endingOnFailure(task.io(false, r.lba(), () -> {
      for (int i = 0; i < half; i++) {
        if (medium.get(i) != data.get(i)) {
          hold.end();
          task.fail(Sense.MISCOMPARE_DURING_VERIFY.withInformation(i));
          return;
        }
      }
      ByteBuffer write = data.duplicate();
      write.position(half).limit(2 * half);
      backend.write(offset, write, fua, hold.ending(task.io(true, r.lba(), task::good)));
    })));
  }
}
