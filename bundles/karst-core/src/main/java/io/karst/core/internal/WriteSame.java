package io.karst.core.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.device.IoCompletion;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import java.nio.ByteBuffer;

/**
 * WRITE SAME (10, 16) (SBC-3 5.42, 5.43): one block of Data-Out, or zeros with NDOB, written
 * to every block of a range, a chunk at a time. Karst reports WSNZ, so a range of zero blocks
 * is refused rather than meaning "to the end of the medium"; the UNMAP and ANCHOR bits need a
 * thin-provisioned backend.
 */
final class WriteSame {

  static final int WRITE_SAME_10 = 0x41;
  static final int WRITE_SAME_16 = 0x93;
  /** The largest range one command may cover, reported in the Block Limits VPD page. */
  static final long MAX_BYTES = 1L << 30;
  private static final int CHUNK_BYTES = 1 << 20;

  private WriteSame() {}

  /** The most blocks one WRITE SAME may cover on a device of this block size. */
  static long maxBlocks(int blockSize) {
    return MAX_BYTES / blockSize;
  }

  static void execute(CoreTask task, Lun lun, BlockBackend backend) throws SenseException {
    byte[] cdb = task.cdb();
    boolean sixteen = Cdb.u8(cdb, 0) == WRITE_SAME_16;
    int flags = Cdb.u8(cdb, 1);
    boolean noDataOut = sixteen && (flags & 0x01) != 0;
    if ((flags & 0xE0) != 0) {
      throw Cdb.invalidField(1, 7);
    }
    if ((flags & 0x18) != 0 && !backend.supportsUnmap()) {
      throw Cdb.invalidField(1, (flags & 0x10) != 0 ? 4 : 3);
    }
    if ((flags & 0x06) != 0) {
      // PBDATA and LBDATA ask for LBA stamping that only protection-less SBC-2 had.
      throw Cdb.invalidField(1, (flags & 0x04) != 0 ? 2 : 1);
    }
    Sbc.Range r = Sbc.range(cdb);
    int blockSize = backend.blockSize();
    Sbc.checkRange(r, backend);
    if (r.blocks() == 0 || r.blocks() > maxBlocks(blockSize)) {
      throw Cdb.invalidField(Sbc.lengthField(cdb), -1);
    }
    if (lun.writeProtected()) {
      throw new SenseException(Sense.WRITE_PROTECTED);
    }
    task.transferLength(noDataOut ? 0 : blockSize);
    if (noDataOut) {
      new Run(task, backend, r, ByteBuffer.allocate(blockSize)).next();
      return;
    }
    task.receive(blockSize, block -> {
      if (block.remaining() < blockSize) {
        task.fail(Sense.INVALID_FIELD_IN_CDB);
        return;
      }
      new Run(task, backend, r, block).next();
    });
  }

  /**
   * Writes the range chunk after chunk. A backend may complete inline, so the loop runs
   * iteratively while completions come back on the calling thread, and resumes from the
   * completion when they come from elsewhere.
   */
  private static final class Run implements IoCompletion {
    private final CoreTask task;
    private final BlockBackend backend;
    private final ByteBuffer chunk;
    private long offset;
    private long writing;
    private final long end;
    private boolean inCall;
    private boolean completedInline;

    Run(CoreTask task, BlockBackend backend, Sbc.Range r, ByteBuffer block) {
      this.task = task;
      this.backend = backend;
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
      task.ioFailed(cause, true, writing / backend.blockSize());
    }
  }
}
