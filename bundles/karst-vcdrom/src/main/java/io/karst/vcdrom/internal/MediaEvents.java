package io.karst.vcdrom.internal;

import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.Task;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * GET EVENT STATUS NOTIFICATION (MMC-6 6.6), polled, for the media event class: how an
 * initiator (Linux sr, Windows, QEMU's guest drives) learns that a disc came or went without
 * waiting for a unit attention. Each event is reported once, to whichever nexus polls first,
 * as a drive's single event queue does; the media status (present, tray open) is always now.
 */
final class MediaEvents {

  /** Media event codes (MMC-6 table 161). */
  static final int NO_CHANGE = 0;
  static final int NEW_MEDIA = 2;
  static final int MEDIA_REMOVAL = 3;

  private static final int MEDIA_CLASS = 4;
  /** Events kept unreported at most; older ones are dropped, the latest state counts. */
  private static final int DEPTH = 8;

  private final ArrayDeque<Integer> pending = new ArrayDeque<>();

  synchronized void post(int event) {
    if (pending.size() == DEPTH) {
      pending.removeFirst();
    }
    pending.addLast(event);
  }

  private synchronized int take() {
    Integer e = pending.pollFirst();
    return e == null ? NO_CHANGE : e;
  }

  /** Executes the command with the drive's state as {@code medium} says. */
  void execute(Task task, Medium medium) throws SenseException {
    byte[] cdb = task.cdb();
    if ((cdb[1] & 0x01) == 0) {
      throw Cdb.invalidField(1, 0); // asynchronous notification is not offered
    }
    int requested = Cdb.u8(cdb, 4);
    int allocation = Cdb.u16(cdb, 7);
    int supported = 1 << MEDIA_CLASS;
    ByteBuffer b;
    if ((requested & supported) == 0) {
      b = ByteBuffer.allocate(4);
      b.putShort((short) 2).put((byte) 0x80).put((byte) supported); // NEA
    } else {
      b = ByteBuffer.allocate(8);
      b.putShort((short) 6).put((byte) MEDIA_CLASS).put((byte) supported);
      b.put((byte) (allocation > 4 ? take() : NO_CHANGE)); // reported only when it fits
      b.put((byte) ((medium.present() ? 0x02 : 0) | (medium.trayOpen() ? 0x01 : 0)));
      b.put((byte) 0).put((byte) 0); // start and end slot: no changer
    }
    Cdb.respond(task, b.array(), allocation);
  }
}
