package io.karst.vcdrom.internal;

import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.SenseKey;
import io.karst.api.scsi.Task;
import java.nio.ByteBuffer;

/**
 * READ DISC STRUCTURE (MMC-6 6.23) for a DVD-ROM, which the DVD Read feature requires: the
 * physical format information (00h) of a single layer read-only disc, its copyright
 * information (01h: no protection, no region) and the list of structures (FFh). A CD has no
 * disc structures.
 */
final class DiscStructure {

  /** CANNOT READ MEDIUM - INCOMPATIBLE FORMAT: the structure does not exist on a CD. */
  static final Sense INCOMPATIBLE_FORMAT = new Sense(SenseKey.ILLEGAL_REQUEST, 0x30, 0x02);

  private static final int PHYSICAL_FORMAT = 0x00;
  private static final int COPYRIGHT = 0x01;
  private static final int STRUCTURE_LIST = 0xFF;
  /** The first physical sector of a DVD's data area (ECMA-267). */
  private static final int DATA_AREA_START = 0x030000;

  private DiscStructure() {}

  static void read(Task task, Disc disc) throws SenseException {
    byte[] cdb = task.cdb();
    if ((cdb[1] & 0x0F) != 0) {
      throw Cdb.invalidField(1, -1); // media type 0: DVD
    }
    if (cdb[6] != 0) {
      throw Cdb.invalidField(6, -1); // one layer
    }
    int format = Cdb.u8(cdb, 7);
    if (format != PHYSICAL_FORMAT && format != COPYRIGHT && format != STRUCTURE_LIST) {
      throw Cdb.invalidField(7, -1);
    }
    if (!disc.dvd()) {
      throw new SenseException(INCOMPATIBLE_FORMAT);
    }
    byte[] body = switch (format) {
      case PHYSICAL_FORMAT -> physicalFormat(disc);
      case COPYRIGHT -> new byte[4];
      default -> structureList();
    };
    ByteBuffer b = ByteBuffer.allocate(4 + body.length);
    b.putShort((short) (body.length + 2)).putShort((short) 0).put(body);
    Cdb.respond(task, b.array(), Cdb.u16(cdb, 8));
  }

  /** Physical format information (ECMA-267 3.3.2): a DVD-ROM of one embossed layer. */
  private static byte[] physicalFormat(Disc disc) {
    ByteBuffer b = ByteBuffer.allocate(2048);
    b.put((byte) 0x01); // book type DVD-ROM, part version 1
    b.put((byte) 0x0F); // 120 mm, no maximum rate specified
    b.put((byte) 0x01); // one layer, parallel track path, embossed (read-only) layer
    b.put((byte) 0x00); // 0.267 um/bit, 0.74 um track pitch
    b.putInt(DATA_AREA_START);
    b.putInt((int) (DATA_AREA_START + disc.blocks - 1));
    b.putInt(0); // end sector in layer 0: only for opposite track path discs
    return b.array();
  }

  private static byte[] structureList() {
    ByteBuffer b = ByteBuffer.allocate(12);
    for (int[] s : new int[][] {{PHYSICAL_FORMAT, 2048 + 4}, {COPYRIGHT, 4 + 4},
        {STRUCTURE_LIST, 12 + 4}}) {
      b.put((byte) s[0]).put((byte) 0x40).putShort((short) s[1]); // readable, not sendable
    }
    return b.array();
  }
}
