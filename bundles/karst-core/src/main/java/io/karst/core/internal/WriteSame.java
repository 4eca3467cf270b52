package io.karst.core.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.device.IoCompletion;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import java.nio.ByteBuffer;

/**
 * WRITE SAME (10, 16) (SBC-4 5.50, 5.51): one block of Data-Out, or zeros with NDOB, written
 * to every block of a range, a chunk at a time. A NUMBER OF LOGICAL BLOCKS of zero means from
 * the LBA to the last block of the medium (WSNZ is 0, as in LIO): refused like any other range
 * when that is more than {@link #MAX_BLOCKS}. UNMAP needs a thin backend; ANCHOR is refused, as
 * Karst has no anchored state. The Data-Out must be exactly one logical block.
 */
final class WriteSame {

  static final int WRITE_SAME_10 = 0x41;
  static final int WRITE_SAME_16 = 0x93;
  /**
   * The most blocks one command may cover, reported in the Block Limits VPD page: LIO's
   * default. A range of 65536 blocks or more is refused, which libiscsi's WRITE SAME tests
   * check when the page says so; with a larger limit they instead test it with a WRITE of as
   * many blocks first, which can exceed the maximum transfer length.
   */
  static final long MAX_BLOCKS = 0xFFFF;
  private static final int CHUNK_BYTES = 1 << 20;

  private WriteSame() {}

  static void execute(CoreTask task, Lun lun, BlockBackend backend) throws SenseException {
    byte[] cdb = task.cdb();
    boolean sixteen = Cdb.u8(cdb, 0) == WRITE_SAME_16;
    int flags = Cdb.u8(cdb, 1);
    boolean noDataOut = sixteen && (flags & 0x01) != 0;
    if ((flags & 0xE0) != 0) {
      throw Cdb.invalidField(1, 7);
    }
    if ((flags & 0x10) != 0) {
      throw Cdb.invalidField(1, 4); // ANCHOR: no anchored state
    }
    if (lun.writeProtected()) {
      // Before the UNMAP check: a write-protected LUN refuses every kind of write the same way.
      throw new SenseException(Sense.WRITE_PROTECTED);
    }
    boolean unmap = (flags & 0x08) != 0;
    if (unmap && !Unmap.thin(backend)) {
      throw Cdb.invalidField(1, 3);
    }
    if ((flags & 0x06) != 0) {
      // PBDATA and LBDATA ask for LBA stamping that only protection-less SBC-2 had.
      throw Cdb.invalidField(1, (flags & 0x04) != 0 ? 2 : 1);
    }
    Sbc.Range r = range(cdb, backend);
    int blockSize = backend.blockSize();
    if (!noDataOut && task.expectedTransferLength() != blockSize) {
      // Anything but one block is a malformed request, not a residual (as LIO refuses it).
      throw Cdb.invalidField(Sbc.lengthField(cdb), -1);
    }
    task.transferLength(noDataOut ? 0 : blockSize);
    RangeLock ranges = lun.device().ranges;
    if (noDataOut) {
      ranges.shared(task, r.lba(), r.blocks(),
          hold -> fill(task, backend, r, ByteBuffer.allocate(blockSize), unmap, hold));
      return;
    }
    task.receive(blockSize, block -> {
      if (block.remaining() < blockSize) {
        task.fail(Sense.INVALID_FIELD_IN_CDB);
        return;
      }
      ranges.shared(task, r.lba(), r.blocks(),
          hold -> fill(task, backend, r, block, unmap, hold));
    });
  }

  /**
   * The range to write, checked: within the capacity, then (zero blocks meaning up to the last
   * block, so an LBA past it is out of range) no longer than {@link #MAX_BLOCKS}, which SBC-4
   * 5.50 answers with INVALID FIELD IN CDB.
   */
  private static Sbc.Range range(byte[] cdb, BlockBackend backend) throws SenseException {
    Sbc.Range r = Sbc.range(cdb);
    Sbc.checkRange(r, backend);
    if (r.blocks() == 0) {
      if (r.lba() >= backend.blockCount()) {
        throw new SenseException(Sense.LBA_OUT_OF_RANGE);
      }
      r = new Sbc.Range(r.lba(), backend.blockCount() - r.lba());
    }
    if (r.blocks() > MAX_BLOCKS) {
      throw Cdb.invalidField(Sbc.lengthField(cdb), -1);
    }
    return r;
  }

  /**
   * With UNMAP the range is deallocated, and reads as zeros (LBPRZ), whatever the block holds:
   * SBC-4 lets the device server unmap rather than write, and LIO and SCST do so (libiscsi's
   * WriteSame10/16.UnmapUntilEnd send a block of ones and expect zeros back).
   */
  private static void fill(CoreTask task, BlockBackend backend, Sbc.Range r, ByteBuffer block,
      boolean unmap, RangeLock.Hold hold) {
    if (unmap) {
      int size = backend.blockSize();
      backend.unmap(r.lba() * size, r.blocks() * size,
          hold.ending(task.io(true, r.lba(), task::good)));
    } else {
      new Run(task, backend, r, block, hold).next();
    }
  }

  /**
   * Writes the range chunk after chunk. A backend may complete inline, so the loop runs
   * iteratively while completions come back on the calling thread, and resumes from the
   * completion when they come from elsewhere.
   */
  private static final class Run implements IoCompletion {
    private final CoreTask task;
    private final BlockBackend backend;
    private final RangeLock.Hold hold;
    private final ByteBuffer chunk;
    private long offset;
    private long writing;
    private final long end;
    private boolean inCall;
    private boolean completedInline;

    Run(CoreTask task, BlockBackend backend, Sbc.Range r, ByteBuffer block,
        RangeLock.Hold hold) {
      this.task = task;
      this.backend = backend;
      this.hold = hold;
      int blockSize = backend.blockSize();
      this.offset = r.lba() * blockSize;
      this.end = offset + r.blocks() * blockSize;
      int size = (int) Math.min(CHUNK_BYTES, end - offset);
      this.chunk = ByteBuffer.allocate(size);
      while (chunk.hasRemaining()) {
        chunk.put(block.duplicate());
      }
    }

    void next() {
      while (true) {
        if (offset >= end) {
          hold.end();
          task.good();
          return;
        }
        ByteBuffer b = chunk.duplicate().clear();
        b.limit((int) Math.min(b.capacity(), end - offset));
        writing = offset;
        offset += b.remaining();
        synchronized (this) {
          completedInline = false;
          inCall = true;
        }
        backend.write(writing, b, false, this);
        synchronized (this) {
          inCall = false;
          if (!completedInline) {
            return;
          }
        }
      }
    }

    @Override
    public void completed() {
      synchronized (this) {
        if (inCall) {
          completedInline = true;
          return;
        }
      }
      next();
    }

    @Override
    public void failed(Throwable cause) {
      hold.end();
      task.ioFailed(cause, true, writing / backend.blockSize());
    }
  }
}
