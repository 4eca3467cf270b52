package io.karst.core.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;

/**
 * WRITE ATOMIC(16) (SBC-4 5.48, 4.29): a write that no other command sees in part. It holds its
 * range exclusively in the device's {@link RangeLock} from before the write to its completion,
 * so an overlapping READ returns all old or all new data and an overlapping WRITE lands wholly
 * before or after it. Up to {@link #maxBlocks} blocks, with no alignment or granularity
 * requirement (the Block Limits VPD page reports both as zero) and no atomic boundary.
 */
final class WriteAtomic {

  static final int WRITE_ATOMIC_16 = 0x9C;
  /** The largest atomic write, whatever the block size. */
  private static final int MAX_BYTES = 1 << 20;
  private static final int LENGTH_FIELD = 12;

  private WriteAtomic() {}

  /** MAXIMUM ATOMIC TRANSFER LENGTH on a device of this block size. */
  static int maxBlocks(int blockSize) {
    return MAX_BYTES / blockSize;
  }

  static void execute(CoreTask task, Lun lun, BlockBackend backend) throws SenseException {
    byte[] cdb = task.cdb();
    if ((cdb[1] & 0xE0) != 0) {
      throw Cdb.invalidField(1, 7); // WRPROTECT: no protection information
    }
    if (Cdb.u16(cdb, 10) != 0) {
      throw Cdb.invalidField(10, -1); // ATOMIC BOUNDARY: boundaries are not supported
    }
    int blocks = Cdb.u16(cdb, LENGTH_FIELD);
    Sbc.Range r = new Sbc.Range(Cdb.u64(cdb, 2), blocks);
    Sbc.checkRange(r, backend);
    int blockSize = backend.blockSize();
    if (blocks > maxBlocks(blockSize)) {
      throw Cdb.invalidField(LENGTH_FIELD, -1);
    }
    if (lun.writeProtected()) {
      throw new SenseException(Sense.WRITE_PROTECTED);
    }
    if (blocks == 0) {
      task.good();
      return;
    }
    boolean fua = (cdb[1] & 0x08) != 0;
    int length = blocks * blockSize;
    task.receive(length, data -> {
      if (data.remaining() < length) {
        // Part of the blocks would not be an atomic write of them.
        task.fail(Sense.INVALID_FIELD_IN_CDB.withFieldPointer(true, LENGTH_FIELD, -1));
        return;
      }
      lun.device().ranges.exclusive(task, r.lba(), blocks, hold -> backend.write(
          r.lba() * blockSize, data, fua, hold.ending(task.io(true, r.lba(), task::good))));
    });
  }
}
