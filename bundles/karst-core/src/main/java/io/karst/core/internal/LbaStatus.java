package io.karst.core.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import java.nio.ByteBuffer;

/**
 * GET LBA STATUS (SBC-4 5.7) and READ DEFECT DATA (10, 12) (SBC-3 5.9, 5.10): what the device
 * server knows of its blocks. A backend does not say which blocks it has deallocated, so every
 * block from the starting LBA reports provisioning status 0, "mapped or unknown", which SBC-4
 * allows; a virtual medium has no defects, so the defect lists are empty.
 */
final class LbaStatus {

  static final int GET_LBA_STATUS = 0x12;
  static final int READ_DEFECT_DATA_10 = 0x37;
  static final int READ_DEFECT_DATA_12 = 0xB7;

  private LbaStatus() {}

  static void getLbaStatus(CoreTask task, BlockBackend backend) throws SenseException {
    byte[] cdb = task.cdb();
    long lba = Cdb.u64(cdb, 2);
    long allocation = Cdb.u32(cdb, 10);
    if (lba < 0 || lba >= backend.blockCount()) {
      throw new SenseException(Sense.LBA_OUT_OF_RANGE);
    }
    long blocks = Math.min(backend.blockCount() - lba, 0xFFFF_FFFFL);
    ByteBuffer b = ByteBuffer.allocate(24);
    b.putInt(20).putInt(0);
    b.putLong(lba).putInt((int) blocks).put((byte) 0).put(new byte[3]);
    task.respond(b.array(), (int) Math.min(allocation, Integer.MAX_VALUE));
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
