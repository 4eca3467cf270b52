package io.karst.core.internal;

import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.SenseKey;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The persistent reservation state of one logical unit (SPC-4 5.13): the registered I_T
 * nexuses with their reservation keys, the reservation and its holder, the PRgeneration, and
 * whether the state persists through a power loss (APTPL).
 *
 * <p>Each service action computes a new immutable {@link Snapshot} under this object's lock,
 * has the {@link PrStore} write it when APTPL applies, and only then publishes it: a command
 * completes after its state is on disk, and a failed write changes nothing. Conflict checks
 * on the command path read the published snapshot without a lock.
 */
final class PrState {

  private static final System.Logger LOG = System.getLogger(PrState.class.getName());

  static final int WRITE_EXCLUSIVE = 1;
  static final int EXCLUSIVE_ACCESS = 3;
  static final int WRITE_EXCLUSIVE_REGISTRANTS_ONLY = 5;
  static final int EXCLUSIVE_ACCESS_REGISTRANTS_ONLY = 6;
  static final int WRITE_EXCLUSIVE_ALL_REGISTRANTS = 7;
  static final int EXCLUSIVE_ACCESS_ALL_REGISTRANTS = 8;

  static final Sense INVALID_RELEASE = new Sense(SenseKey.ILLEGAL_REQUEST, 0x26, 0x04);

  /**
   * A registration: an initiator port (or, from a format 00b TransportID, every port of an
   * initiator device) through one target port, or through all of them ({@code target} null,
   * ALL_TG_PT), with its reservation key.
   */
  record Registration(TransportId initiator, String target, long key) {

    boolean of(CoreSession s) {
      return initiator.covers(s.port()) && (target == null || target.equals(s.target().name()));
    }

    Registration withKey(long k) {
      return new Registration(initiator, target, k);
    }
  }

  /** One consistent state; {@code type} 0 means no reservation. */
  record Snapshot(List<Registration> registrations, Registration holder, int type,
      int generation, boolean aptpl) {

    static final Snapshot EMPTY = new Snapshot(List.of(), null, 0, 0, false);

    Registration registrationOf(CoreSession s) {
      for (Registration r : registrations) {
        if (r.of(s)) {
          return r;
        }
      }
      return null;
    }

    boolean allRegistrants() {
      return PrState.allRegistrants(type);
    }

    /** Whether the nexus holds the reservation: any registrant does of an all-registrants one. */
    boolean holds(CoreSession s) {
      if (type == 0) {
        return false;
      }
      return allRegistrants() ? registrationOf(s) != null : holder != null && holder.of(s);
    }

    /** The reservation key READ RESERVATION and READ FULL STATUS report for the holder. */
    long holderKey() {
      return allRegistrants() || holder == null ? 0 : holder.key();
    }

    boolean isHolder(Registration r) {
      return type != 0 && (allRegistrants() || r.equals(holder));
    }
  }

  /** Whether a reservation of this type is held by every registrant (SPC-4 5.13.9). */
  static boolean allRegistrants(int type) {
    return type == WRITE_EXCLUSIVE_ALL_REGISTRANTS || type == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
  }

  private final String device;
  private final PrStore store;
  /** Each target's relative target port identifier (SPC-4 4.3.5), by name. */
  private final java.util.function.Supplier<Map<String, Integer>> ports;
  private volatile Snapshot current;

  PrState(String device, PrStore store, java.util.function.Supplier<Map<String, Integer>> ports) {
    this.device = device;
    this.store = store;
    this.ports = ports;
    Snapshot restored = store.load();
    this.current = restored == null ? Snapshot.EMPTY : restored;
    if (restored != null) {
      LOG.log(Level.INFO, "device " + device + ": persistent reservations restored, "
          + restored.registrations().size() + " registration(s), generation "
          + restored.generation());
    }
  }

  Snapshot snapshot() {
    return current;
  }

  int relativePort(String target) {
    return target == null ? 0 : ports.get().getOrDefault(target, 0);
  }

  /** The target with this relative target port identifier, or null. */
  String target(int relativePort) {
    for (var e : ports.get().entrySet()) {
      if (e.getValue() == relativePort) {
        return e.getKey();
      }
    }
    return null;
  }

  /**
   * Publishes {@code next} after writing it when APTPL is set, or removing what an earlier
   * APTPL left on disk when it is not.
   */
  private void commit(Snapshot next) throws SenseException {
    try {
      if (next.aptpl()) {
        store.save(next);
      } else if (current.aptpl()) {
        store.remove();
      }
    } catch (IOException e) {
      LOG.log(Level.ERROR, "device " + device + ": the persistent reservation state could "
          + "not be written to " + store.file() + "; the command fails and nothing changes", e);
      throw new SenseException(Sense.INTERNAL_TARGET_FAILURE);
    }
    current = next;
  }

  /**
   * REGISTER and REGISTER AND IGNORE EXISTING KEY (SPC-4 5.13.7, 5.13.11.3). {@code others}
   * are the SPEC_I_PT ports, registered with the nexus itself. False: RESERVATION CONFLICT.
   */
  synchronized boolean register(CoreSession s, Long reservationKey, long newKey,
      boolean allTargetPorts, List<TransportId> others, boolean aptpl) throws SenseException {
    Snapshot now = current;
    Registration mine = now.registrationOf(s);
    if (mine == null) {
      if (reservationKey != null && reservationKey != 0) {
        return false;
      }
      if (newKey == 0) {
        return true;
      }
      String target = allTargetPorts ? null : s.target().name();
      List<Registration> regs = new ArrayList<>(now.registrations());
      regs.add(new Registration(s.port(), target, newKey));
      for (TransportId t : others) {
        Registration r = new Registration(t, target, newKey);
        if (regs.stream().anyMatch(x -> x.initiator().equals(t)
            && (x.target() == null || target == null || x.target().equals(target)))) {
          throw new SenseException(Sense.INVALID_FIELD_IN_PARAMETER_LIST);
        }
        regs.add(r);
      }
      commit(new Snapshot(List.copyOf(regs), now.holder(), now.type(), now.generation() + 1,
          aptpl));
      return true;
    }
    if (reservationKey != null && reservationKey != mine.key()) {
      return false;
    }
    if (!others.isEmpty()) {
      throw new SenseException(Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    }
    if (newKey == 0) {
      commit(unregister(now, mine, aptpl));
      return true;
    }
    List<Registration> regs = new ArrayList<>(now.registrations());
    Registration changed = mine.withKey(newKey);
    regs.set(regs.indexOf(mine), changed);
    Registration holder = mine.equals(now.holder()) ? changed : now.holder();
    commit(new Snapshot(List.copyOf(regs), holder, now.type(), now.generation() + 1, aptpl));
    return true;
  }

  /**
   * Removes a registration; its holder's reservation ends with it, an all-registrants one
   * with the last registrant (SPC-4 5.13.11.3).
   */
  private static Snapshot unregister(Snapshot now, Registration gone, boolean aptpl) {
    List<Registration> regs = new ArrayList<>(now.registrations());
    regs.remove(gone);
    boolean ends = now.type() != 0
        && (now.allRegistrants() ? regs.isEmpty() : gone.equals(now.holder()));
    return new Snapshot(List.copyOf(regs), ends ? null : now.holder(), ends ? 0 : now.type(),
        now.generation() + 1, aptpl);
  }

  /** RESERVE (SPC-4 5.13.9). False: RESERVATION CONFLICT. */
  synchronized boolean reserve(CoreSession s, long key, int type) throws SenseException {
    Snapshot now = current;
    Registration mine = now.registrationOf(s);
    if (mine == null || mine.key() != key) {
      return false;
    }
    if (now.type() != 0) {
      return now.holds(s) && now.type() == type;
    }
    commit(new Snapshot(now.registrations(), allRegistrants(type) ? null : mine, type,
        now.generation(), now.aptpl()));
    return true;
  }

  /** RELEASE (SPC-4 5.13.10). False: RESERVATION CONFLICT. */
  synchronized boolean release(CoreSession s, long key, int type) throws SenseException {
    Snapshot now = current;
    Registration mine = now.registrationOf(s);
    if (mine == null || mine.key() != key) {
      return false;
    }
    if (!now.holds(s)) {
      return true;
    }
    if (now.type() != type) {
      throw new SenseException(INVALID_RELEASE);
    }
    commit(new Snapshot(now.registrations(), null, 0, now.generation(), now.aptpl()));
    return true;
  }

  /** CLEAR (SPC-4 5.13.11.6). False: RESERVATION CONFLICT. */
  synchronized boolean clear(CoreSession s, long key) throws SenseException {
    Snapshot now = current;
    Registration mine = now.registrationOf(s);
    if (mine == null || mine.key() != key) {
      return false;
    }
    commit(new Snapshot(List.of(), null, 0, now.generation() + 1, now.aptpl()));
    return true;
  }

  /**
   * PREEMPT and PREEMPT AND ABORT (SPC-4 5.13.11.4): returns the registrations removed, whose
   * nexuses' tasks PREEMPT AND ABORT then aborts, or null for RESERVATION CONFLICT.
   */
  synchronized List<Registration> preempt(CoreSession s, long key, long victim, int type)
      throws SenseException {
    Snapshot now = current;
    Registration mine = now.registrationOf(s);
    if (mine == null || mine.key() != key) {
      return null;
    }
    List<Registration> removed = new ArrayList<>();
    List<Registration> kept = new ArrayList<>();
    boolean everyone = now.type() != 0 && now.allRegistrants() && victim == 0;
    for (Registration r : now.registrations()) {
      boolean goes = !r.equals(mine) && (everyone || r.key() == victim);
      (goes ? removed : kept).add(r);
    }
    boolean takeOver = everyone
        || now.type() != 0 && !now.allRegistrants() && now.holderKey() == victim;
    if (!takeOver) {
      if (victim == 0) {
        throw new SenseException(Sense.INVALID_FIELD_IN_PARAMETER_LIST);
      }
      if (now.registrations().stream().noneMatch(r -> r.key() == victim)) {
        return null;
      }
    }
    // The preempting nexus is among those kept, so a reservation it does not take over
    // keeps a registrant.
    Registration holder = takeOver ? (allRegistrants(type) ? null : mine) : now.holder();
    commit(new Snapshot(List.copyOf(kept), holder, takeOver ? type : now.type(),
        now.generation() + 1, now.aptpl()));
    return removed;
  }

  /**
   * REGISTER AND MOVE (SPC-4 5.13.8): registers the destination nexus with {@code newKey} and
   * moves the reservation there. False: RESERVATION CONFLICT.
   */
  synchronized boolean move(CoreSession s, long key, long newKey, TransportId destination,
      String target, boolean unregister, boolean aptpl) throws SenseException {
    Snapshot now = current;
    Registration mine = now.registrationOf(s);
    if (mine == null || mine.key() != key || now.type() == 0 || now.allRegistrants()
        || !now.holds(s)) {
      return false;
    }
    if (newKey == 0 || destination.covers(s.port()) && target.equals(s.target().name())) {
      throw new SenseException(Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    }
    List<Registration> regs = new ArrayList<>(now.registrations());
    Registration moved = new Registration(destination, target, newKey);
    regs.removeIf(r -> r.initiator().equals(destination) && target.equals(r.target()));
    regs.add(moved);
    if (unregister) {
      regs.remove(mine);
    }
    commit(new Snapshot(List.copyOf(regs), moved, now.type(), now.generation() + 1, aptpl));
    return true;
  }
}
