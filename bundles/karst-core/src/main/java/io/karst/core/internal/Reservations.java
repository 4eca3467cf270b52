package io.karst.core.internal;

import io.karst.api.scsi.SenseException;

/**
 * SPC-2 reservations (SPC-2 5.5.1, 7.21, 7.24): RESERVE and RELEASE (6, 10) give one I_T nexus
 * the logical unit; every other nexus then gets RESERVATION CONFLICT, except for the commands
 * that only look (INQUIRY, REPORT LUNS, REQUEST SENSE, PERSISTENT RESERVE IN) and RELEASE,
 * which it may send without effect. The reservation ends with RELEASE or with the nexus.
 * Third-party and extent reservations, obsolete since SPC-2, are refused.
 *
 * <p>While any nexus is registered for persistent reservations, RESERVE and RELEASE do nothing
 * (SPC-4 5.13.3, as REPORT CAPABILITIES says with CRH 1): they complete with GOOD from a nexus
 * that holds the persistent reservation, or is registered under a registrants only or all
 * registrants one, and get RESERVATION CONFLICT from every other nexus.
 */
final class Reservations {

  static final int RESERVE_6 = 0x16;
  static final int RELEASE_6 = 0x17;
  static final int RESERVE_10 = 0x56;
  static final int RELEASE_10 = 0x57;

  private Reservations() {}

  /** Whether another nexus's reservation on the device keeps this command out. */
  static boolean conflicts(CoreTask task, Device device, int opcode) {
    CoreSession holder = device.reservation();
    if (holder == null || holder == task.session) {
      return false;
    }
    return switch (opcode) {
      case Spc.INQUIRY, Spc.REPORT_LUNS, Spc.REQUEST_SENSE,
          PersistentReservations.PERSISTENT_RESERVE_IN,
          RELEASE_6, RELEASE_10 -> false;
      default -> true;
    };
  }

  static void reserve(CoreTask task, Device device) throws SenseException {
    refuseThirdParty(task.cdb());
    if (underPersistentReservations(task, device)) {
      return;
    }
    if (device.reserve(task.session)) {
      task.good();
    } else {
      task.conflict();
    }
  }

  /** Answers a RESERVE or RELEASE that registrations take over, and says whether it did. */
  private static boolean underPersistentReservations(CoreTask task, Device device) {
    PrState.Snapshot pr = device.pr.snapshot();
    if (pr.registrations().isEmpty()) {
      return false;
    }
    boolean registrantsOnly = pr.type() == PrState.WRITE_EXCLUSIVE_REGISTRANTS_ONLY
        || pr.type() == PrState.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY;
    if (pr.holds(task.session) || registrantsOnly && pr.registrationOf(task.session) != null) {
      task.good();
    } else {
      task.conflict();
    }
    return true;
  }

  /** Releases the device if this nexus holds it; from any other nexus, GOOD with no effect. */
  static void release(CoreTask task, Device device) throws SenseException {
    refuseThirdParty(task.cdb());
    if (underPersistentReservations(task, device)) {
      return;
    }
    device.release(task.session);
    task.good();
  }

  private static void refuseThirdParty(byte[] cdb) throws SenseException {
    boolean ten = Cdb.u8(cdb, 0) == RESERVE_10 || Cdb.u8(cdb, 0) == RELEASE_10;
    if (ten ? (cdb[1] & 0x12) != 0 : (cdb[1] & 0x1F) != 0) {
      throw Cdb.invalidField(1, ten ? 4 : 0);
    }
  }
}
