package io.karst.core.internal;

import io.karst.api.device.CommandBackend;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.SenseKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Unit attention conditions (SAM-5 5.14, SPC-4 5.14 and 7.5.8 with UA_INTLCK_CTRL 00b): a
 * queue per I_T_L nexus, held by the nexus ({@link CoreSession#attentions}) and keyed by LUN.
 *
 * <p>Establishing: a condition already queued on the I_T_L nexus is not queued twice; the queue
 * is kept in order of precedence (SAM-5 table "Unit attention condition precedence": 29h/00h
 * highest, then power on and device internal reset, bus reset, bus device reset function, I_T
 * nexus loss, then every other condition), first come first within a precedence; and it holds
 * at most {@link #MAX_QUEUED} conditions per LUN: a full queue drops its lowest, most recent
 * condition for one of higher precedence, and otherwise drops the new one, so a flood of
 * changes never grows memory without bound.
 *
 * <p>Reporting ({@link #report}): the next command to the LUN but INQUIRY, REPORT LUNS and
 * REQUEST SENSE ends with CHECK CONDITION, UNIT ATTENTION and the condition of highest
 * precedence, which is thereby cleared. INQUIRY runs as if none were pending; REPORT LUNS
 * too, and it clears REPORTED LUNS DATA HAS CHANGED on every LUN of its nexus (SPC-4 6.33);
 * REQUEST SENSE returns the condition as its sense data and clears it (SPC-4 6.39).
 *
 * <p>Raising: {@link #raise(Device, Sense, CoreSession)} for every nexus that reaches a device
 * (all but one, for a change one initiator made itself), {@link #raise(CoreSession, Device,
 * Sense)} for one nexus's LUNs of a device, {@link #raise(CoreSession, Sense)} for every LUN
 * of one nexus (REPORTED LUNS DATA HAS CHANGED after its LUN map changed). A nexus reaches the
 * devices it has registered with in {@link Device#nexuses}; see {@link #attach}.
 *
 * <p>The command path pays one volatile read ({@link Queue#pending()}) when nothing is pending.
 */
final class UnitAttention {

  /** MODE PARAMETERS CHANGED (SPC-4 7.5.1): another nexus changed a mode page. */
  static final Sense MODE_PARAMETERS_CHANGED = new Sense(SenseKey.UNIT_ATTENTION, 0x2A, 0x01);
  /** RESERVATIONS PREEMPTED (SPC-4 5.13.11.6): another nexus's CLEAR. */
  static final Sense RESERVATIONS_PREEMPTED = new Sense(SenseKey.UNIT_ATTENTION, 0x2A, 0x03);
  /** RESERVATIONS RELEASED (SPC-4 5.13.11.2): a registrants only or all registrants one. */
  static final Sense RESERVATIONS_RELEASED = new Sense(SenseKey.UNIT_ATTENTION, 0x2A, 0x04);
  /** REGISTRATIONS PREEMPTED (SPC-4 5.13.11.4): a PREEMPT removed this nexus's key. */
  static final Sense REGISTRATIONS_PREEMPTED = new Sense(SenseKey.UNIT_ATTENTION, 0x2A, 0x05);
  /** ASYMMETRIC ACCESS STATE CHANGED (SPC-4 5.16.2.3). */
  static final Sense ASYMMETRIC_ACCESS_STATE_CHANGED =
      new Sense(SenseKey.UNIT_ATTENTION, 0x2A, 0x06);
  /** BUS DEVICE RESET FUNCTION OCCURRED (SAM-5 6.3.3): a logical unit or target reset. */
  static final Sense BUS_DEVICE_RESET_FUNCTION_OCCURRED =
      new Sense(SenseKey.UNIT_ATTENTION, 0x29, 0x03);
  /** I_T NEXUS LOSS OCCURRED (SAM-5 6.3.4): the session replaces a lost one. */
  static final Sense I_T_NEXUS_LOSS_OCCURRED = new Sense(SenseKey.UNIT_ATTENTION, 0x29, 0x07);
  /** INQUIRY DATA HAS CHANGED (SPC-4 6.6.1). */
  static final Sense INQUIRY_DATA_HAS_CHANGED = new Sense(SenseKey.UNIT_ATTENTION, 0x3F, 0x03);

  /** The most conditions queued on one I_T_L nexus. */
  static final int MAX_QUEUED = 16;

  private UnitAttention() {}

  /** The unit attention conditions of one I_T nexus, per LUN. */
  static final class Queue {

    /** How many conditions are queued over all LUNs: what the command path reads. */
    private volatile int pending;
    /** Per LUN, in order of precedence; guarded by this. */
    private final Map<Long, List<Sense>> byLun = new HashMap<>();

    /** Whether any condition is queued on any LUN; one volatile read. */
    boolean pending() {
      return pending != 0;
    }

    /**
     * Establishes a condition on a LUN of this nexus. False when it was not queued: the same
     * condition is already there, or the queue is full of conditions of higher precedence.
     */
    synchronized boolean establish(long lun, Sense condition) {
      List<Sense> q = byLun.computeIfAbsent(lun, n -> new ArrayList<>());
      int rank = precedence(condition);
      int at = q.size();
      for (int i = 0; i < q.size(); i++) {
        Sense s = q.get(i);
        if (same(s, condition)) {
          return false;
        }
        if (at == q.size() && precedence(s) > rank) {
          at = i;
        }
      }
      if (q.size() >= MAX_QUEUED) {
        if (at == q.size()) {
          return false;
        }
        q.remove(q.size() - 1);
        pending--;
      }
      q.add(at, condition);
      pending++;
      return true;
    }

    /** The condition a command to this LUN would report, or null; it stays queued. */
    synchronized Sense peek(long lun) {
      List<Sense> q = byLun.get(lun);
      return q == null || q.isEmpty() ? null : q.get(0);
    }

    /** Clears the condition {@link #peek} returned, if it is still first. */
    synchronized void clear(long lun, Sense condition) {
      List<Sense> q = byLun.get(lun);
      if (q != null && !q.isEmpty() && q.get(0) == condition) {
        q.remove(0);
        pending--;
      }
    }

    /** Reports and clears the condition of highest precedence on this LUN, or null. */
    synchronized Sense take(long lun) {
      Sense s = peek(lun);
      if (s != null) {
        clear(lun, s);
      }
      return s;
    }

    /** Clears a condition, by its additional sense code and qualifier, on every LUN. */
    synchronized void clearEverywhere(Sense condition) {
      if (pending == 0) {
        return;
      }
      for (List<Sense> q : byLun.values()) {
        for (Iterator<Sense> i = q.iterator(); i.hasNext(); ) {
          if (same(i.next(), condition)) {
            i.remove();
            pending--;
          }
        }
      }
    }

    /** The conditions queued on a LUN, highest precedence first. */
    synchronized List<Sense> queued(long lun) {
      return List.copyOf(byLun.getOrDefault(lun, List.of()));
    }
  }

  private static boolean same(Sense a, Sense b) {
    return a.asc() == b.asc() && a.ascq() == b.ascq();
  }

  /** Lower is reported first (SAM-5 5.14, table "Unit attention condition precedence"). */
  static int precedence(Sense s) {
    if (s.asc() == 0x29) {
      return switch (s.ascq()) {
        case 0x00 -> 0; // POWER ON, RESET, OR BUS DEVICE RESET OCCURRED
        case 0x01, 0x04 -> 1; // POWER ON OCCURRED, DEVICE INTERNAL RESET
        case 0x02 -> 2; // SCSI BUS RESET OCCURRED
        case 0x03 -> 3; // BUS DEVICE RESET FUNCTION OCCURRED
        case 0x07 -> 4; // I_T NEXUS LOSS OCCURRED
        default -> 2; // other protocol specific resets
      };
    }
    if (s.asc() == 0x3F && s.ascq() == 0x01) {
      return 2; // MICROCODE HAS BEEN CHANGED
    }
    if (s.asc() == 0x2F && s.ascq() == 0x01) {
      return 5; // COMMANDS CLEARED BY POWER LOSS NOTIFICATION
    }
    return 6;
  }

  /** MMC commands a unit attention does not stop (MMC-6 4.1.6.1). */
  private static final int GET_CONFIGURATION = 0x46;
  private static final int GET_EVENT_STATUS_NOTIFICATION = 0x4A;

  /**
   * Answers a command to a LUN of a nexus with pending conditions, as the standard says; true
   * when it did (the command is over), false when the command goes on.
   */
  static boolean report(CoreTask task, Lun lun, int opcode) throws SenseException {
    if (opcode == Spc.INQUIRY || (lun.device().peripheralDeviceType() == CommandBackend.MMC
        && (opcode == GET_CONFIGURATION || opcode == GET_EVENT_STATUS_NOTIFICATION))) {
      // MMC-6 4.1.6.1: a drive answers these two without reporting or clearing a unit
      // attention, so that hosts polling for media events see them as they happen.
      return false;
    }
    Queue q = task.session.attentions;
    if (opcode == Spc.REQUEST_SENSE) {
      Sense s = q.peek(lun.number());
      if (s == null) {
        return false;
      }
      // A REQUEST SENSE with a bad CDB fails before its data, and the condition stays.
      Spc.requestSense(task, s);
      q.clear(lun.number(), s);
      return true;
    }
    Sense s = q.take(lun.number());
    if (s == null) {
      return false;
    }
    task.fail(s);
    return true;
  }

  /**
   * Registers a nexus with the devices of its LUN map, so that their conditions reach it. Call
   * for a new session, and for the devices a changed LUN map adds, before the map is in use;
   * a device the nexus no longer reaches through any LUN may keep it (it raises nothing there).
   */
  static void attach(CoreSession session) {
    for (Lun l : session.luns().values()) {
      l.device().nexuses.add(session);
    }
  }

  /** Unregisters a nexus that ended from every device of its LUN map. */
  static void detach(CoreSession session) {
    for (Lun l : session.luns().values()) {
      l.device().nexuses.remove(session);
    }
  }

  /**
   * Establishes a condition on every I_T_L nexus that reaches a device: each nexus registered
   * with it, on each of its LUNs of that device; {@code except} (the nexus whose command made
   * the change) is skipped, or none when null. Any thread.
   */
  static void raise(Device device, Sense condition, CoreSession except) {
    for (CoreSession s : device.nexuses) {
      if (s != except) {
        raise(s, device, condition);
      }
    }
  }

  /** Establishes a condition on each LUN of one nexus that reaches a device. Any thread. */
  static void raise(CoreSession session, Device device, Sense condition) {
    for (Lun l : session.luns().values()) {
      if (l.device() == device) {
        session.attentions.establish(l.number(), condition);
      }
    }
  }

  /**
   * Establishes a condition on every LUN of one nexus, as REPORTED LUNS DATA HAS CHANGED after
   * its LUN map changed (SPC-4 6.33). Any thread.
   */
  static void raise(CoreSession session, Sense condition) {
    for (Lun l : session.luns().values()) {
      session.attentions.establish(l.number(), condition);
    }
  }
}
