package io.karst.core.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.device.IoCompletion;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * SBC-3 emulation on a {@link BlockBackend}: READ and WRITE (6, 10, 12, 16), READ CAPACITY (10,
 * 16), SYNCHRONIZE CACHE (10, 16) and VERIFY (10, 16). The backend sees byte offsets and
 * lengths already checked against its capacity.
 */
final class Sbc {

  static final int READ_6 = 0x08;
  static final int WRITE_6 = 0x0A;
  static final int READ_CAPACITY_10 = 0x25;
  static final int READ_10 = 0x28;
  static final int WRITE_10 = 0x2A;
  static final int VERIFY_10 = 0x2F;
  static final int SYNCHRONIZE_CACHE_10 = 0x35;
  static final int READ_16 = 0x88;
  static final int WRITE_16 = 0x8A;
  static final int VERIFY_16 = 0x8F;
  static final int SYNCHRONIZE_CACHE_16 = 0x91;
  static final int SERVICE_ACTION_IN_16 = 0x9E;
  static final int READ_12 = 0xA8;
  static final int WRITE_12 = 0xAA;
  static final int WRITE_AND_VERIFY_10 = 0x2E;
  static final int PRE_FETCH_10 = 0x34;
  static final int WRITE_AND_VERIFY_16 = 0x8E;
  static final int PRE_FETCH_16 = 0x90;
  static final int WRITE_AND_VERIFY_12 = 0xAE;
  static final int VERIFY_12 = 0xAF;
  static final int READ_CAPACITY_16 = 0x10;

  /** The largest transfer one command may ask for, reported in the Block Limits VPD page. */
  static final int MAX_TRANSFER_BYTES = 16 << 20;

  /** The LBA range a command addresses, decoded from its CDB. */
  record Range(long lba, long blocks) {}

  private Sbc() {}

  /** Executes an SBC command; false when the opcode is not one this class implements. */
  static boolean execute(CoreTask task, Lun lun, BlockBackend backend) throws SenseException {
    byte[] cdb = task.cdb();
    int opcode = Cdb.u8(cdb, 0);
    switch (opcode) {
      case READ_6, READ_10, READ_12, READ_16 -> read(task, lun, backend, range(cdb));
      case WRITE_6, WRITE_10, WRITE_12, WRITE_16 -> write(task, lun, backend, range(cdb));
      case READ_CAPACITY_10 -> readCapacity10(task, backend);
      case SERVICE_ACTION_IN_16 -> {
        switch (cdb[1] & 0x1F) {
          case READ_CAPACITY_16 -> readCapacity16(task, backend);
          case LbaStatus.GET_LBA_STATUS -> LbaStatus.getLbaStatus(task, lun, backend);
          default -> throw Cdb.invalidField(1, 4);
        }
      }
      case SYNCHRONIZE_CACHE_10, SYNCHRONIZE_CACHE_16 -> synchronizeCache(task, backend);
      case VERIFY_10, VERIFY_12, VERIFY_16 -> verify(task, lun, backend, range(cdb));
      case WRITE_AND_VERIFY_10, WRITE_AND_VERIFY_12, WRITE_AND_VERIFY_16 ->
          writeAndVerify(task, lun, backend, range(cdb));
      case PRE_FETCH_10, PRE_FETCH_16 -> preFetch(task, backend);
      case WriteSame.WRITE_SAME_10, WriteSame.WRITE_SAME_16 -> WriteSame.execute(task, lun,
          backend);
      case CompareAndWrite.COMPARE_AND_WRITE -> CompareAndWrite.execute(task, lun, backend);
      case OrWrite.ORWRITE_16 -> OrWrite.execute(task, lun, backend);
      case Sanitize.SANITIZE -> Sanitize.execute(task, lun, backend);
      case WriteAtomic.WRITE_ATOMIC_16 -> WriteAtomic.execute(task, lun, backend);
      case LbaStatus.READ_DEFECT_DATA_10, LbaStatus.READ_DEFECT_DATA_12 ->
          LbaStatus.readDefectData(task);
      case FormatUnit.FORMAT_UNIT -> FormatUnit.execute(task, lun, backend);
      case Unmap.UNMAP -> {
        if (!Unmap.thin(backend)) {
          return false;
        }
        Unmap.execute(task, lun, backend);
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /**
   * The LBA and transfer length of a READ or WRITE of any size. Protection information is not
   * supported, so RDPROTECT/WRPROTECT must be zero; READ(6)'s length 0 means 256 blocks.
   */
  static Range range(byte[] cdb) throws SenseException {
    int opcode = Cdb.u8(cdb, 0);
    if (opcode == READ_6 || opcode == WRITE_6) {
      int blocks = Cdb.u8(cdb, 4);
      return new Range(Cdb.u24(cdb, 1) & 0x1FFFFF, blocks == 0 ? 256 : blocks);
    }
    if ((cdb[1] & 0xE0) != 0) {
      throw Cdb.invalidField(1, 7);
    }
    return switch (opcode >>> 5) {
      case 1, 2 -> new Range(Cdb.u32(cdb, 2), Cdb.u16(cdb, 7));
      case 5 -> new Range(Cdb.u32(cdb, 2), Cdb.u32(cdb, 6));
      default -> new Range(Cdb.u64(cdb, 2), Cdb.u32(cdb, 10));
    };
  }

  /**
   * Checks a range against the capacity and the transfer limit and returns its length in
   * bytes.
   */
  static int bytes(Range r, BlockBackend backend, int lengthField) throws SenseException {
    checkRange(r, backend);
    long bytes = r.blocks() * backend.blockSize();
    if (bytes > MAX_TRANSFER_BYTES) {
      throw Cdb.invalidField(lengthField, -1);
    }
    return (int) bytes;
  }

  /** Refuses a range that does not lie within the capacity. */
  static void checkRange(Range r, BlockBackend backend) throws SenseException {
    long capacity = backend.blockCount();
    if (r.lba() < 0 || r.lba() > capacity || r.blocks() > capacity - r.lba()) {
      throw new SenseException(Sense.LBA_OUT_OF_RANGE);
    }
  }

  /** The byte of the CDB that holds the transfer length, for field pointers. */
  static int lengthField(byte[] cdb) {
    return switch (Cdb.u8(cdb, 0) >>> 5) {
      case 0 -> 4;
      case 1, 2 -> 7;
      case 5 -> 6;
      default -> 10;
    };
  }

  private static void read(CoreTask task, Lun lun, BlockBackend backend, Range r)
      throws SenseException {
    int length = bytes(r, backend, lengthField(task.cdb()));
    if (length == 0) {
      task.good();
      return;
    }
    ByteBuffer buffer = task.dataInBuffer(length);
    lun.device().ranges.shared(task, r.lba(), r.blocks(), hold -> backend.read(
        r.lba() * backend.blockSize(), buffer,
        hold.ending(task.io(false, r.lba(), () -> task.respondRead(length)))));
  }

  /**
   * The common start of every command that writes a range: range, transfer limit and write
   * protection checked, then the Data-Out handed to {@code then}, cut to whole blocks. A range
   * of zero blocks, or Data-Out shorter than one block, ends the command with GOOD; Data-Out
   * shorter than the CDB says writes the whole blocks that came (as LIO and SCST do).
   */
  static void receiveBlocks(CoreTask task, Lun lun, BlockBackend backend, Range r,
      Consumer<ByteBuffer> then) throws SenseException {
    int length = bytes(r, backend, lengthField(task.cdb()));
    if (lun.writeProtected()) {
      throw new SenseException(Sense.WRITE_PROTECTED);
    }
    if (length == 0) {
      task.good();
      return;
    }
    int blockSize = backend.blockSize();
    task.receive(length, data -> {
      data.limit(data.remaining() / blockSize * blockSize);
      if (data.hasRemaining()) {
        then.accept(data);
      } else {
        task.good();
      }
    });
  }

  private static void write(CoreTask task, Lun lun, BlockBackend backend, Range r)
      throws SenseException {
    byte[] cdb = task.cdb();
    boolean fua = Cdb.u8(cdb, 0) != WRITE_6 && (cdb[1] & 0x08) != 0;
    receiveBlocks(task, lun, backend, r, data -> lun.device().ranges.shared(task, r.lba(),
        r.blocks(), hold -> backend.write(r.lba() * backend.blockSize(), data, fua,
            hold.ending(task.io(true, r.lba(), task::good)))));
  }

  private static void readCapacity10(CoreTask task, BlockBackend backend) throws SenseException {
    byte[] cdb = task.cdb();
    if ((cdb[8] & 0x01) != 0 || Cdb.u32(cdb, 2) != 0) {
      throw Cdb.invalidField((cdb[8] & 0x01) != 0 ? 8 : 2, -1);
    }
    long last = backend.blockCount() - 1;
    ByteBuffer b = ByteBuffer.allocate(8);
    b.putInt((int) Math.min(last, 0xFFFFFFFFL)).putInt(backend.blockSize());
    task.respond(b.array(), 8);
  }

  private static void readCapacity16(CoreTask task, BlockBackend backend) {
    byte[] cdb = task.cdb();
    ByteBuffer b = ByteBuffer.allocate(32);
    b.putLong(backend.blockCount() - 1).putInt(backend.blockSize());
    b.put(13, (byte) physicalBlockExponent(backend)); // the lowest aligned LBA is 0
    if (Unmap.thin(backend)) {
      b.put(14, (byte) 0xC0); // LBPME, LBPRZ
    }
    task.respond(b.array(), (int) Math.min(Cdb.u32(cdb, 10), Integer.MAX_VALUE));
  }

  /**
   * The backend's LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT, kept within the four bits READ
   * CAPACITY(16) has for it.
   */
  static int physicalBlockExponent(BlockBackend backend) {
    return Math.max(0, Math.min(15, backend.physicalBlockExponent()));
  }

  /**
   * PRE-FETCH (10, 16) (SBC-4 5.9, 5.10): the backend brings the blocks into its cache, on the
   * device's I/O threads. CONDITION MET says they are there (or, with IMMED, will be); GOOD
   * that the backend has no cache that holds them, so they were not brought in. A PREFETCH
   * LENGTH of zero asks for every block from the LBA to the end of the medium. With IMMED the
   * command ends once its CDB is checked, and a failure of the prefetch itself goes unreported:
   * reads of the blocks still go to the medium.
   */
  private static void preFetch(CoreTask task, BlockBackend backend)
      throws SenseException {
    byte[] cdb = task.cdb();
    Range r = range(cdb);
    checkRange(r, backend);
    int blockSize = backend.blockSize();
    long bytes = (r.blocks() == 0 ? backend.blockCount() - r.lba() : r.blocks()) * blockSize;
    if (bytes == 0 || !backend.cacheHolds(bytes)) {
      task.good();
      return;
    }
    IoCompletion done;
    if ((cdb[1] & 0x02) != 0) {
      task.conditionMet();
      done = UNANSWERED;
    } else {
      done = task.io(false, r.lba(), task::conditionMet);
    }
    // Asynchronous like a read: a backend that waits does so on its own I/O threads.
    backend.prefetch(r.lba() * blockSize, bytes, done);
  }

  /** The completion of an operation whose command has already been answered. */
  private static final IoCompletion UNANSWERED = new IoCompletion() {
    @Override
    public void completed() {}

    @Override
    public void failed(Throwable cause) {}
  };

  /** SYNCHRONIZE CACHE: a range of zero blocks means to the end of the medium. */
  private static void synchronizeCache(CoreTask task, BlockBackend backend)
      throws SenseException {
    byte[] cdb = task.cdb();
    boolean ten = Cdb.u8(cdb, 0) == SYNCHRONIZE_CACHE_10;
    Range r = ten ? new Range(Cdb.u32(cdb, 2), Cdb.u16(cdb, 7))
        : new Range(Cdb.u64(cdb, 2), Cdb.u32(cdb, 10));
    long capacity = backend.blockCount();
    if (r.lba() > capacity || r.blocks() > capacity - r.lba()) {
      throw new SenseException(Sense.LBA_OUT_OF_RANGE);
    }
    backend.flush(task.io(true, r.lba(), task::good));
  }

  /**
   * VERIFY (10, 12, 16): with BYTCHK 0 the medium is checked (a read is the check this backend
   * offers); with BYTCHK 1 the Data-Out is compared with the medium, with BYTCHK 3 one block of
   * Data-Out is compared with every block; a difference is a MISCOMPARE at its offset.
   */
  private static void verify(CoreTask task, Lun lun, BlockBackend backend, Range r)
      throws SenseException {
    byte[] cdb = task.cdb();
    int byteCheck = (cdb[1] >>> 1) & 0x03;
    if (byteCheck == 2) {
      throw Cdb.invalidField(1, 2);
    }
    int length = bytes(r, backend, lengthField(cdb));
    if (length == 0) {
      task.good();
      return;
    }
    if (byteCheck == 0) {
      compare(task, lun, backend, r, ByteBuffer.allocate(length), null, length);
      return;
    }
    int dataLength = byteCheck == 1 ? length : backend.blockSize();
    task.receive(dataLength, data -> {
      if (data.remaining() < dataLength) {
        task.fail(Sense.INVALID_FIELD_IN_CDB);
        return;
      }
      compare(task, lun, backend, r, ByteBuffer.allocate(length), data, dataLength);
    });
  }

  /**
   * WRITE AND VERIFY (10, 12, 16): writes, then reads the blocks back, comparing them with the
   * Data-Out when BYTCHK is 1. The write is forced to the medium first, so the read checks the
   * medium and not a cache.
   */
  private static void writeAndVerify(CoreTask task, Lun lun, BlockBackend backend, Range r)
      throws SenseException {
    byte[] cdb = task.cdb();
    int byteCheck = (cdb[1] >>> 1) & 0x03;
    if (byteCheck > 1) {
      throw Cdb.invalidField(1, 2);
    }
    receiveBlocks(task, lun, backend, r, data -> {
      int written = data.remaining();
      Range blocks = new Range(r.lba(), written / backend.blockSize());
      lun.device().ranges.shared(task, r.lba(), blocks.blocks(), hold -> backend.write(
          r.lba() * backend.blockSize(), data.duplicate(), true, hold.ending(task.io(true,
              r.lba(), () -> compare(task, lun, backend, blocks, ByteBuffer.allocate(written),
                  byteCheck == 1 ? data : null, written)))));
    });
  }

  /**
   * Reads the range into {@code medium} and compares it with {@code data} repeated every
   * {@code dataLength} bytes; with no data, a successful read is the check.
   */
  private static void compare(CoreTask task, Lun lun, BlockBackend backend, Range r,
      ByteBuffer medium, ByteBuffer data, int dataLength) {
    int length = medium.capacity();
    lun.device().ranges.shared(task, r.lba(), r.blocks(), hold -> backend.read(
        r.lba() * backend.blockSize(), medium, hold.ending(task.io(false, r.lba(), () -> {
          for (int i = 0; data != null && i < length; i++) {
            if (medium.get(i) != data.get(i % dataLength)) {
              task.fail(Sense.MISCOMPARE_DURING_VERIFY.withInformation(i));
              return;
            }
          }
          task.good();
        }))));
  }
}
