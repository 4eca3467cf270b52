package io.karst.vcdrom.internal;

import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.Task;
import java.nio.ByteBuffer;

/**
 * READ TOC/PMA/ATIP (MMC-6 6.32) for a disc of one session with one data track that starts at
 * LBA 0 and ends at the lead-out, which is what an ISO image is: format 0000b (the TOC),
 * 0001b (session information) and 0010b (the full TOC, with the points A0h, A1h, A2h), with
 * addresses as LBAs or, with MSF, in minutes, seconds and frames.
 */
final class Toc {

  static final int LEAD_OUT = 0xAA;
  /** ADR 1 (Q sub-channel position), CONTROL 4 (a data track, recorded uninterrupted). */
  private static final int ADR_CONTROL = 0x14;

  private Toc() {}

  static void read(Task task, Disc disc) throws SenseException {
    byte[] cdb = task.cdb();
    boolean msf = (cdb[1] & 0x02) != 0;
    int format = cdb[2] & 0x0F;
    if (format == 0) {
      // SFF-8020 initiators put the format in the two high bits of the control byte.
      format = (cdb[9] >>> 6) & 0x03;
    }
    int track = Cdb.u8(cdb, 6);
    int allocation = Cdb.u16(cdb, 7);
    byte[] data = switch (format) {
      case 0 -> toc(disc, msf, track);
      case 1 -> session(msf);
      case 2 -> fullToc(disc, track);
      default -> throw Cdb.invalidField(2, -1);
    };
    Cdb.respond(task, data, allocation);
  }

  /** The TOC from {@code track} on: track 1 unless only the lead-out is asked for. */
  private static byte[] toc(Disc disc, boolean msf, int track) throws SenseException {
    if (track > 1 && track != LEAD_OUT) {
      throw Cdb.invalidField(6, -1);
    }
    ByteBuffer b = ByteBuffer.allocate(track == LEAD_OUT ? 12 : 20);
    b.putShort((short) (b.capacity() - 2)).put((byte) 1).put((byte) 1);
    if (track != LEAD_OUT) {
      trackDescriptor(b, 1, 0, msf);
    }
    trackDescriptor(b, LEAD_OUT, disc.blocks, msf);
    return b.array();
  }

  /** The first track of the last (and only) session. */
  private static byte[] session(boolean msf) {
    ByteBuffer b = ByteBuffer.allocate(12);
    b.putShort((short) 10).put((byte) 1).put((byte) 1);
    trackDescriptor(b, 1, 0, msf);
    return b.array();
  }

  private static void trackDescriptor(ByteBuffer b, int track, long lba, boolean msf) {
    b.put((byte) 0).put((byte) ADR_CONTROL).put((byte) track).put((byte) 0);
    if (msf) {
      b.put((byte) 0);
      putMsf(b, lba);
    } else {
      b.putInt((int) lba);
    }
  }

  /**
   * The full TOC of session {@code session} (MMC-6 6.32.3.4): the points A0h (first track,
   * disc type 00h: CD-ROM), A1h (last track), A2h (lead-out start) and track 1, each with its
   * address in MSF, the only form this format has.
   */
  private static byte[] fullToc(Disc disc, int session) throws SenseException {
    if (session > 1) {
      throw Cdb.invalidField(6, -1);
    }
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * 11);
    b.putShort((short) (b.capacity() - 2)).put((byte) 1).put((byte) 1);
    fullDescriptor(b, 0xA0, 1, 0x00, 0);
    fullDescriptor(b, 0xA1, 1, 0, 0);
    ByteBuffer leadOut = ByteBuffer.allocate(3);
    putMsf(leadOut, disc.blocks);
    fullDescriptor(b, 0xA2, leadOut.get(0), leadOut.get(1), leadOut.get(2));
    ByteBuffer start = ByteBuffer.allocate(3);
    putMsf(start, 0);
    fullDescriptor(b, 0x01, start.get(0), start.get(1), start.get(2));
    return b.array();
  }

  private static void fullDescriptor(ByteBuffer b, int point, int pmin, int psec, int pframe) {
    b.put((byte) 1).put((byte) ADR_CONTROL).put((byte) 0).put((byte) point);
    b.put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0); // ATIME, ZERO
    b.put((byte) pmin).put((byte) psec).put((byte) pframe);
  }

  /**
   * An LBA as minutes, seconds and frames (MMC-6 table 660): 75 frames a second, with the
   * two-second pregap (150 frames) before LBA 0. Past 255 minutes MSF cannot address; no disc
   * this drive serves reaches that as a CD, and DVDs are addressed by LBA.
   */
  static void putMsf(ByteBuffer b, long lba) {
    long frames = lba + 150;
    b.put((byte) Math.min(255, frames / (60 * 75)));
    b.put((byte) (frames / 75 % 60));
    b.put((byte) (frames % 75));
  }
}
