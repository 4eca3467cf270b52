package io.karst.core.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.device.IoCompletion;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import java.nio.ByteBuffer;

/**
 * Logical block provisioning (SBC-3 4.7) on a backend that can deallocate: UNMAP and its
 * parameter list (5.28), and the limits and flags the Block Limits and Logical Block
 * Provisioning VPD pages and READ CAPACITY(16) report. A backend's unmapped blocks read as
 * zeros ({@link BlockBackend#unmap}), so LBPRZ is always set.
 */
final class Unmap {

  static final int UNMAP = 0x42;
  /** Block descriptors one UNMAP may carry. */
  static final int MAX_DESCRIPTORS = 256;
  /** Blocks one UNMAP may deallocate in all. */
  static final long MAX_BLOCKS = 0xFFFF_FFFFL;

  private Unmap() {}

  /** Whether the backend is thin: core then offers UNMAP and the provisioning pages. */
  static boolean thin(BlockBackend backend) {
    return backend.supportsUnmap();
  }

  static void execute(CoreTask task, Lun lun, BlockBackend backend) throws SenseException {
    byte[] cdb = task.cdb();
    if ((cdb[1] & 0x01) != 0) {
      throw Cdb.invalidField(1, 0); // ANCHOR: no anchored state
    }
    int length = Cdb.u16(cdb, 7);
    if (lun.writeProtected()) {
      throw new SenseException(Sense.WRITE_PROTECTED);
    }
    if (length == 0) {
      task.good();
      return;
    }
    if (length < 8) {
      throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
    }
    task.receive(length, list -> {
      try {
        ByteBuffer ranges = descriptors(list, backend);
        next(task, lun.device().ranges, backend, ranges);
      } catch (SenseException e) {
        task.fail(e.sense());
      }
    });
  }

  /** Checks the parameter list and returns its block descriptors, 16 bytes each. */
  private static ByteBuffer descriptors(ByteBuffer list, BlockBackend backend)
      throws SenseException {
    if (list.remaining() < 8) {
      throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
    }
    int descriptorBytes = Math.min(Short.toUnsignedInt(list.getShort(2)), list.remaining() - 8)
        & ~15;
    if (descriptorBytes / 16 > MAX_DESCRIPTORS) {
      throw new SenseException(Sense.INVALID_FIELD_IN_PARAMETER_LIST
          .withFieldPointer(false, 2, -1));
    }
    ByteBuffer d = list.duplicate();
    d.position(8).limit(8 + descriptorBytes);
    long total = 0;
    for (int at = 8; at < 8 + descriptorBytes; at += 16) {
      Sbc.Range r = new Sbc.Range(list.getLong(at), Integer.toUnsignedLong(list.getInt(at + 8)));
      Sbc.checkRange(r, backend);
      total += r.blocks();
    }
    if (total > MAX_BLOCKS) {
      throw new SenseException(Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    }
    return d.slice();
  }

  /** Deallocates the descriptors' ranges one after the other. */
  private static void next(CoreTask task, RangeLock lock, BlockBackend backend,
      ByteBuffer ranges) {
    while (ranges.hasRemaining()) {
      long lba = ranges.getLong();
      long blocks = Integer.toUnsignedLong(ranges.getInt());
      ranges.getInt();
      if (blocks > 0) {
        int size = backend.blockSize();
        lock.shared(task, lba, blocks, hold -> backend.unmap(lba * size, blocks * size,
            hold.ending(new IoCompletion() {
              @Override
              public void completed() {
                next(task, lock, backend, ranges);
              }

              @Override
              public void failed(Throwable cause) {
                task.ioFailed(cause, true, lba);
              }
            })));
        return;
      }
    }
    task.good();
  }
}
