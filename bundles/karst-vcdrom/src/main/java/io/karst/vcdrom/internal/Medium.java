package io.karst.vcdrom.internal;

import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.SenseKey;

/**
 * What the drive holds: the disc its {@code filename} names, or none, and whether an initiator
 * has opened the tray (START STOP UNIT with LOEJ), which takes the disc out of reach until it
 * is loaded again. Immutable; the backend swaps it whole.
 */
record Medium(Disc disc, boolean trayOpen) {

  /** MEDIUM NOT PRESENT - TRAY OPEN (MMC-6 table F.1). */
  static final Sense TRAY_OPEN = new Sense(SenseKey.NOT_READY, 0x3A, 0x02);

  static final Medium EMPTY = new Medium(null, false);

  boolean present() {
    return disc != null && !trayOpen;
  }

  /** The disc for a command that needs one, or NOT READY, MEDIUM NOT PRESENT. */
  Disc require() throws SenseException {
    if (trayOpen) {
      throw new SenseException(TRAY_OPEN);
    }
    if (disc == null) {
      throw new SenseException(Sense.MEDIUM_NOT_PRESENT);
    }
    return disc;
  }
}
