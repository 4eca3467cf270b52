package io.karst.vcdrom.internal;

import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.Task;
import java.nio.ByteBuffer;

/**
 * READ DISC INFORMATION (MMC-6 6.22) and READ TRACK INFORMATION (MMC-6 6.35) for a disc that
 * is finalized: one complete session with one complete data track, nothing writable.
 */
final class DiscInformation {

  /** Track mode 4: data, recorded uninterrupted; data mode 1 (MMC-6 tables 593, 594). */
  private static final int TRACK_MODE = 0x04;
  private static final int DATA_MODE = 0x01;

  private DiscInformation() {}

  static void readDiscInformation(Task task, Disc disc) throws SenseException {
    byte[] cdb = task.cdb();
    if ((cdb[1] & 0x07) != 0) {
      throw Cdb.invalidField(1, -1); // only the standard disc information
    }
    ByteBuffer b = ByteBuffer.allocate(34);
    b.putShort((short) 32);
    b.put((byte) 0x0E); // not erasable, last session complete, disc finalized
    b.put((byte) 1); // first track on the disc
    b.put((byte) 1); // number of sessions
    b.put((byte) 1); // first track in the last session
    b.put((byte) 1); // last track in the last session
    b.put((byte) 0); // no disc identification, bar code or application code
    b.put((byte) 0); // disc type 00h: CD-DA or CD-ROM (reserved on a DVD)
    b.put((byte) 0).put((byte) 0).put((byte) 0); // the most significant bytes of the above
    b.putInt(0); // disc identification
    b.putInt(-1); // no lead-in of a next session: the disc is complete
    b.putInt(-1); // nor a last possible lead-out
    Cdb.respond(task, b.array(), Cdb.u16(cdb, 7));
  }

  static void readTrackInformation(Task task, Disc disc) throws SenseException {
    byte[] cdb = task.cdb();
    long address = Cdb.u32(cdb, 2);
    boolean trackOne = switch (cdb[1] & 0x03) {
      case 0 -> address < disc.blocks; // the track holding this LBA
      case 1, 2 -> address == 1; // track 1, or the track of session 1
      default -> false;
    };
    if (!trackOne) {
      throw Cdb.invalidField(2, -1);
    }
    ByteBuffer b = ByteBuffer.allocate(48);
    b.putShort((short) 46);
    b.put((byte) 1); // track number
    b.put((byte) 1); // session number
    b.put((byte) 0);
    b.put((byte) TRACK_MODE);
    b.put((byte) DATA_MODE);
    b.put((byte) 0); // no next writable or last recorded address
    b.putInt(0); // track start address
    b.putInt(0); // next writable address
    b.putInt(0); // free blocks
    b.putInt(0); // fixed packet size
    b.putInt((int) disc.blocks); // track size
    Cdb.respond(task, b.array(), Cdb.u16(cdb, 7));
  }
}
