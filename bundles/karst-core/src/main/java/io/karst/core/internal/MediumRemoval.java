package io.karst.core.internal;

import io.karst.api.device.CommandBackend;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A removable medium (SBC-3 4.2.2; the device attribute {@code removable}, as SCST's): START
 * STOP UNIT with LOEJ ejects and loads it, PREVENT ALLOW MEDIUM REMOVAL locks it in, and while
 * it is out, every command that needs it gets NOT READY, MEDIUM NOT PRESENT.
 *
 * <p>Prevention belongs to the I_T nexus that asked for it (SPC-4 6.13 in SBC-3 5.12): the
 * medium stays locked while any nexus prevents its removal, and a nexus's prevention ends with
 * ALLOW, with the nexus, and with a logical unit or target reset. A device that is not
 * removable accepts both commands without effect: it has no medium to remove.
 */
final class MediumRemoval {

  /** Whether the medium is in, and who prevents its removal. */
  static final class Medium {
    private volatile boolean present = true;
    private final Set<CoreSession> preventing = ConcurrentHashMap.newKeySet();

    /** Whether any nexus prevents the removal of the medium. */
    boolean prevented() {
      return !preventing.isEmpty();
    }

    /** Ends this nexus's prevention, as its loss does. */
    void allow(CoreSession s) {
      preventing.remove(s);
    }

    /** Ends every nexus's prevention, as a reset does. */
    void allowAll() {
      preventing.clear();
    }
  }

  private MediumRemoval() {}

  /**
   * PREVENT ALLOW MEDIUM REMOVAL: PREVENT 01b locks, 00b unlocks; 1xb is obsolete in SBC. MMC
   * keeps the PERSISTENT bit (MMC-6 6.26), which guards only against a drive's eject button and
   * reports in events; a virtual drive has no button, so it is accepted and the PREVENT bit
   * alone locks.
   */
  static void preventAllow(CoreTask task, Device device) throws SenseException {
    int prevent = task.cdb()[4] & 0x03;
    boolean mmc = device.peripheralDeviceType() == CommandBackend.MMC;
    if (prevent > 1 && !mmc) {
      throw Cdb.invalidField(4, 1);
    }
    if (device.removable()) {
      if ((prevent & 0x01) == 1) {
        device.medium.preventing.add(task.session);
      } else {
        device.medium.preventing.remove(task.session);
      }
    }
    task.good();
  }

  /**
   * START STOP UNIT (SBC-3 5.25): with POWER CONDITION 0 and LOEJ, START 0 ejects the medium
   * and START 1 loads it, unless a nexus prevents removal. Anything else changes no state that
   * Karst keeps, so it succeeds.
   */
  static void startStop(CoreTask task, Device device) throws SenseException {
    byte[] cdb = task.cdb();
    boolean loej = (cdb[4] & 0x02) != 0;
    int powerCondition = (cdb[4] >>> 4) & 0x0F;
    if (device.removable() && loej && powerCondition == 0) {
      if (device.medium.prevented()) {
        throw new SenseException(Sense.MEDIUM_REMOVAL_PREVENTED);
      }
      device.medium.present = (cdb[4] & 0x01) != 0;
    }
    task.good();
  }

  /** Whether this command needs a medium that is out. */
  static boolean absent(Device device, int opcode) {
    if (device.medium.present) {
      return false;
    }
    return switch (opcode) {
      case Spc.INQUIRY, Spc.REQUEST_SENSE, Spc.REPORT_LUNS, Spc.START_STOP_UNIT,
          Spc.PREVENT_ALLOW_MEDIUM_REMOVAL, PersistentReservations.PERSISTENT_RESERVE_IN,
          PersistentReservations.PERSISTENT_RESERVE_OUT, Reservations.RESERVE_6,
          Reservations.RESERVE_10, Reservations.RELEASE_6, Reservations.RELEASE_10,
          SupportedOperations.MAINTENANCE_IN, ModePages.MODE_SENSE_6, ModePages.MODE_SENSE_10,
          ModePages.MODE_SELECT_6, ModePages.MODE_SELECT_10 -> false;
      default -> true;
    };
  }
}
