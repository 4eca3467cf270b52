package io.karst.core.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import java.nio.ByteBuffer;

/**
 * GET LBA STATUS (SBC-4 5.7) and READ DEFECT DATA (10, 12) (SBC-3 5.9, 5.10): what the device
 * server knows of its blocks. A thin backend that can tell where its data is
 * ({@link BlockBackend#findAllocation}) has its extents reported as mapped or deallocated;
 * other blocks report provisioning status 0, "mapped or unknown", which SBC-4 allows. A
 * virtual medium has no defects, so the defect lists are empty.
 */
final class LbaStatus {

  static final int GET_LBA_STATUS = 0x12;
  static final int READ_DEFECT_DATA_10 = 0x37;
  static final int READ_DEFECT_DATA_12 = 0xB7;
  private static final int MAPPED_OR_UNKNOWN = 0;
  private static final int DEALLOCATED = 1;
  /** The most descriptors one answer carries, however large the allocation length. */
  static final int MAX_DESCRIPTORS = 256;

  private LbaStatus() {}

  static void getLbaStatus(CoreTask task, Lun lun, BlockBackend backend)
      throws SenseException {
    byte[] cdb = task.cdb();
    long lba = Cdb.u64(cdb, 2);
    long allocation = Cdb.u32(cdb, 10);
    if (lba < 0 || lba >= backend.blockCount()) {
      throw new SenseException(Sense.LBA_OUT_OF_RANGE);
    }
    int room = (int) Math.max(1, Math.min(MAX_DESCRIPTORS, (allocation - 8) / 16));
    if (!Unmap.thin(backend)) {
      respond(task, backend, lba, room, allocation);
      return;
    }
    // Finding the extents of a thin backend takes up to two seeks of its file per descriptor:
    // system calls, which belong on the device's I/O threads, not on a transport's event loop.
    IoLoop.onIoThreads(lun.device(), () -> respond(task, backend, lba, room, allocation),
        task.io(false, lba, () -> { }));
  }

  private static void respond(CoreTask task, BlockBackend backend, long lba, int room,
      long allocation) {
    ByteBuffer descriptors = ByteBuffer.allocate(16 * room);
    long capacity = backend.blockCount();
    long at = lba;
    while (at < capacity && descriptors.hasRemaining()) {
      long end = Math.min(capacity, at + 0xFFFF_FFFFL);
      int status = MAPPED_OR_UNKNOWN;
      if (Unmap.thin(backend)) {
        long[] extent = extent(backend, at, end);
        end = extent[0];
        status = (int) extent[1];
      }
      descriptors.putLong(at).putInt((int) (end - at)).put((byte) status).put(new byte[3]);
      at = end;
    }
    ByteBuffer b = ByteBuffer.allocate(8 + descriptors.position());
    b.putInt(4 + descriptors.position()).putInt(0).put(descriptors.flip());
    task.respond(b.array(), (int) Math.min(allocation, Integer.MAX_VALUE));
  }

  /**
   * The extent of blocks that starts at {@code lba}, no further than {@code limit}: its end
   * and its provisioning status. A block with any data in it is mapped; when the backend
   * cannot tell, the whole range is "mapped or unknown".
   */
  private static long[] extent(BlockBackend backend, long lba, long limit) {
    int size = backend.blockSize();
    long offset = lba * size;
    long data = backend.findAllocation(offset, true);
    if (data < 0) {
      return new long[] {limit, MAPPED_OR_UNKNOWN};
    }
    if (data < offset + size) {
      long hole = backend.findAllocation(offset, false);
      if (hole < 0) {
        return new long[] {limit, MAPPED_OR_UNKNOWN};
      }
      long end = Math.max(lba + 1, (hole + size - 1) / size);
      return new long[] {Math.min(limit, end), MAPPED_OR_UNKNOWN};
    }
    return new long[] {Math.min(limit, data / size), DEALLOCATED};
  }

  /** The header of an empty defect list in the format asked for, with the lists it asked for. */
  static void readDefectData(CoreTask task) {
    byte[] cdb = task.cdb();
    boolean twelve = Cdb.u8(cdb, 0) == READ_DEFECT_DATA_12;
    int lists = cdb[twelve ? 1 : 2] & 0x18;
    int format = cdb[twelve ? 1 : 2] & 0x07;
    long allocation = twelve ? Cdb.u32(cdb, 6) : Cdb.u16(cdb, 7);
    ByteBuffer b = ByteBuffer.allocate(twelve ? 8 : 4);
    b.put((byte) 0).put((byte) (lists | format));
    task.respond(b.array(), (int) Math.min(allocation, Integer.MAX_VALUE));
  }
}
