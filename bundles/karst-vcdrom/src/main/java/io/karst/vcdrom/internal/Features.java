package io.karst.vcdrom.internal;

import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.Task;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * GET CONFIGURATION (MMC-6 6.6): the drive's profiles and features. The drive is a DVD-ROM
 * drive that reads CDs: profile DVD-ROM (0010h) is current with a disc larger than a CD,
 * CD-ROM (0008h) with any other, none without a disc. The features are those both profiles
 * require of a read-only drive (MMC-6 5.4.8, 5.4.12) that apply to an image: Profile List,
 * Core, Morphing, Removable Medium, Random Readable, CD Read, DVD Read.
 */
final class Features {

  static final int PROFILE_CD_ROM = 0x0008;
  static final int PROFILE_DVD_ROM = 0x0010;

  /** Physical interface standard 1: the SCSI family, of which iSCSI is one (MMC-6 table 103). */
  private static final int SCSI_FAMILY = 1;
  /** Loading mechanism 001b (tray), Eject, Lock (MMC-6 table 107). */
  private static final int TRAY_EJECT_LOCK = 0x29;

  private Features() {}

  /** One feature descriptor: its code, version, persistence and additional data. */
  private record Feature(int code, int version, boolean persistent, boolean current,
      byte[] data) {

    void write(ByteArrayOutputStream out) {
      out.write(code >>> 8);
      out.write(code);
      out.write((version << 2) | (persistent ? 0x02 : 0) | (current ? 0x01 : 0));
      out.write(data.length);
      out.writeBytes(data);
    }
  }

  /** The current profile for this medium, 0 without a disc in reach. */
  static int currentProfile(Medium medium) {
    if (!medium.present()) {
      return 0;
    }
    return medium.disc().dvd() ? PROFILE_DVD_ROM : PROFILE_CD_ROM;
  }

  private static List<Feature> features(Medium medium) {
    int profile = currentProfile(medium);
    boolean cd = profile == PROFILE_CD_ROM;
    boolean dvd = profile == PROFILE_DVD_ROM;
    ByteBuffer profiles = ByteBuffer.allocate(8);
    profiles.putShort((short) PROFILE_DVD_ROM).put((byte) (dvd ? 1 : 0)).put((byte) 0);
    profiles.putShort((short) PROFILE_CD_ROM).put((byte) (cd ? 1 : 0)).put((byte) 0);
    ByteBuffer core = ByteBuffer.allocate(8).putInt(SCSI_FAMILY);
    ByteBuffer randomReadable = ByteBuffer.allocate(8);
    // Logical block size and blocking: a DVD's ECC block is 16 sectors, a CD's sector is one;
    // PP: the read-write error recovery mode page is there.
    randomReadable.putInt(Disc.BLOCK_SIZE).putShort((short) (dvd ? 16 : 1)).put((byte) 0x01);
    return List.of(
        new Feature(0x0000, 0, true, true, profiles.array()),
        new Feature(0x0001, 1, true, true, core.array()),
        new Feature(0x0002, 1, true, true, new byte[4]), // polled events only
        new Feature(0x0003, 0, true, true, new byte[] {TRAY_EJECT_LOCK, 0, 0, 0}),
        new Feature(0x0010, 0, false, cd || dvd, randomReadable.array()),
        new Feature(0x001E, 1, false, cd, new byte[4]), // no DAP, C2 pointers or CD-Text
        new Feature(0x001F, 0, false, dvd, new byte[0]));
  }

  static void execute(Task task, Medium medium) throws SenseException {
    byte[] cdb = task.cdb();
    int requestType = cdb[1] & 0x03;
    if (requestType == 3) {
      throw Cdb.invalidField(1, 1);
    }
    int starting = Cdb.u16(cdb, 2);
    int allocation = Cdb.u16(cdb, 7);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Feature f : features(medium)) {
      boolean wanted = switch (requestType) {
        case 0 -> f.code() >= starting; // every feature from the starting one on
        case 1 -> f.code() >= starting && f.current(); // the current ones
        default -> f.code() == starting; // that one only
      };
      if (wanted) {
        f.write(out);
      }
    }
    ByteBuffer b = ByteBuffer.allocate(8 + out.size());
    b.putInt(4 + out.size()).putShort((short) 0).putShort((short) currentProfile(medium));
    b.put(out.toByteArray());
    Cdb.respond(task, b.array(), allocation);
  }
}
