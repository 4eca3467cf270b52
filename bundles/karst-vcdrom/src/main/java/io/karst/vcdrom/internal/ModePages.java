package io.karst.vcdrom.internal;

import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.Task;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * MODE SENSE and MODE SELECT (6) and (10) with MMC's pages: Read/Write Error Recovery (01h)
 * and MM Capabilities and Mechanical Status (2Ah), which Linux sr and Windows read to learn
 * what the drive can do. No field is changeable and nothing is saved, so MODE SELECT accepts
 * the pages only as they are. No block descriptor is returned: MMC drives have none.
 */
final class ModePages {

  static final int MODE_SENSE_6 = 0x1A;
  static final int MODE_SENSE_10 = 0x5A;
  static final int MODE_SELECT_6 = 0x15;
  static final int MODE_SELECT_10 = 0x55;

  private static final int ERROR_RECOVERY = 0x01;
  private static final int CAPABILITIES = 0x2A;
  private static final int ALL_PAGES = 0x3F;
  /** Nominal read speed in kB/s: 48x CD speed (176 kB/s a time), what Linux divides by. */
  private static final int READ_SPEED = 48 * 176;

  private ModePages() {}

  /** Page 01h (MMC-6 7.3): no retries and no correction to set for an image. */
  private static byte[] errorRecovery() {
    byte[] p = new byte[12];
    p[0] = ERROR_RECOVERY;
    p[1] = 10;
    return p;
  }

  /** Page 2Ah (MMC-3 5.5.10): reads DVD-ROM and CD-ROM, a tray that locks and ejects. */
  private static byte[] capabilities(boolean locked) {
    ByteBuffer p = ByteBuffer.allocate(22);
    p.put((byte) CAPABILITIES).put((byte) 20);
    p.put((byte) 0x08); // DVD-ROM read (CD-ROM read is implied)
    p.put((byte) 0); // writes nothing
    p.put((byte) 0); // no audio play, no multi-session
    p.put((byte) 0); // no CD-DA commands
    p.put((byte) (0x20 | 0x08 | (locked ? 0x02 : 0) | 0x01)); // tray, eject, lock state, lock
    p.put((byte) 0);
    p.putShort((short) READ_SPEED); // maximum read speed (obsolete, still read)
    p.putShort((short) 0); // volume levels
    p.putShort((short) 0); // buffer size
    p.putShort((short) READ_SPEED); // current read speed
    return p.array();
  }

  private static byte[] page(int code, boolean locked) {
    return code == ERROR_RECOVERY ? errorRecovery() : capabilities(locked);
  }

  static void sense(Task task, boolean locked) throws SenseException {
    byte[] cdb = task.cdb();
    boolean ten = Cdb.u8(cdb, 0) == MODE_SENSE_10;
    int control = (cdb[2] >>> 6) & 0x03;
    int code = cdb[2] & 0x3F;
    int subpage = Cdb.u8(cdb, 3);
    int allocation = ten ? Cdb.u16(cdb, 7) : Cdb.u8(cdb, 4);
    if (control == 3) {
      throw new SenseException(Sense.SAVING_PARAMETERS_NOT_SUPPORTED);
    }
    if (subpage != 0 && !(code == ALL_PAGES && subpage == 0xFF)) {
      throw Cdb.invalidField(3, -1);
    }
    int[] codes = switch (code) {
      case ERROR_RECOVERY -> new int[] {ERROR_RECOVERY};
      case CAPABILITIES -> new int[] {CAPABILITIES};
      case ALL_PAGES -> new int[] {ERROR_RECOVERY, CAPABILITIES};
      default -> throw Cdb.invalidField(2, 5);
    };
    ByteArrayOutputStream pages = new ByteArrayOutputStream();
    for (int c : codes) {
      // Current and default values differ only in the lock state, which MODE SELECT cannot
      // change; changeable values are all zeros.
      byte[] p = page(c, control == 0 && locked);
      if (control == 1) {
        Arrays.fill(p, 2, p.length, (byte) 0);
      }
      pages.writeBytes(p);
    }
    ByteBuffer b = ByteBuffer.allocate((ten ? 8 : 4) + pages.size());
    if (ten) {
      b.putShort((short) (b.capacity() - 2)).putInt(0).putShort((short) 0);
    } else {
      b.put((byte) (b.capacity() - 1)).put((byte) 0).put((byte) 0).put((byte) 0);
    }
    b.put(pages.toByteArray());
    Cdb.respond(task, b.array(), allocation);
  }

  /** The Data-Out length MODE SELECT carries: its parameter list length. */
  static int parameterListLength(byte[] cdb) {
    return Cdb.u8(cdb, 0) == MODE_SELECT_10 ? Cdb.u16(cdb, 7) : Cdb.u8(cdb, 4);
  }

  /**
   * MODE SELECT: the header without block descriptors, then pages equal to the current ones
   * (the PS bit aside); anything else would change what cannot change.
   */
  static void select(Task task, boolean locked) throws SenseException {
    byte[] cdb = task.cdb();
    boolean ten = Cdb.u8(cdb, 0) == MODE_SELECT_10;
    if ((cdb[1] & 0x01) != 0) {
      throw Cdb.invalidField(1, 0); // SP: nothing is saved
    }
    ByteBuffer data = task.dataOut();
    int length = Math.min(parameterListLength(cdb), data == null ? 0 : data.limit());
    if (length == 0) {
      Cdb.good(task);
      return;
    }
    int header = ten ? 8 : 4;
    if (length < header) {
      throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
    }
    byte[] list = new byte[length];
    data.get(0, list);
    int descriptors = ten ? ((list[6] & 0xFF) << 8 | (list[7] & 0xFF)) : list[3] & 0xFF;
    if (descriptors != 0) {
      throw Cdb.invalidParameter(ten ? 6 : 3);
    }
    int at = header;
    while (at < length) {
      if (length - at < 2) {
        throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
      }
      int code = list[at] & 0x3F;
      if ((list[at] & 0x40) != 0 || (code != ERROR_RECOVERY && code != CAPABILITIES)) {
        throw Cdb.invalidParameter(at);
      }
      byte[] current = page(code, locked);
      int size = (list[at + 1] & 0xFF) + 2;
      if (size != current.length) {
        throw Cdb.invalidParameter(at + 1);
      }
      if (length - at < size) {
        throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
      }
      for (int i = 2; i < size; i++) {
        // The lock state is reported, not set: it may have changed since the initiator read it.
        int ignored = code == CAPABILITIES && i == 6 ? 0x02 : 0;
        if (((list[at + i] ^ current[i]) & ~ignored) != 0) {
          throw Cdb.invalidParameter(at + i);
        }
      }
      at += size;
    }
    Cdb.good(task);
  }
}
