package io.karst.core.internal;

import io.karst.api.scsi.DataDirection;
import io.karst.api.scsi.Task;
import io.karst.api.scsi.TaskAttribute;
import io.karst.api.scsi.TaskManagementFunction;
import io.karst.api.scsi.TaskManagementResponse;
import io.karst.api.scsi.TaskTransport;
import io.karst.api.target.Session;
import io.karst.api.target.SessionEvents;
import java.util.NavigableMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * An I_T nexus and the LUN map its initiator sees. Management replaces the map as a whole when
 * the target's LUNs or groups change ({@link #update}); the command path reads it through one
 * volatile field, without locks.
 */
final class CoreSession implements Session {

  /** LUN numbers below this are looked up in {@link #byNumber}, the rest in the map. */
  private static final int DIRECT_LUNS = 256;

  private final String driver;
  private final CoreTarget target;
  private final String initiator;
  /** The initiator port, as persistent reservations register it. */
  private final TransportId port;
  /** The LUN map and its direct index, swapped together. */
  private volatile LunMap luns;
  final SessionEvents events;
  private final Consumer<CoreSession> onClose;
  final IoStatistics statistics = new IoStatistics();
  private final AtomicBoolean measureLatency;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** The unit attention conditions pending on this nexus, per LUN. */
  final UnitAttention.Queue attentions = new UnitAttention.Queue();

  CoreSession(String driver, CoreTarget target, String initiator, TransportId port,
      NavigableMap<Long, Lun> luns, SessionEvents events, Consumer<CoreSession> onClose,
      AtomicBoolean measureLatency) {
    this.driver = driver;
    this.target = target;
    this.initiator = initiator;
    this.port = port;
    this.luns = new LunMap(luns, byNumber(luns));
    this.events = events;
    this.onClose = onClose;
    this.measureLatency = measureLatency;
  }

  @Override
  public CoreTarget target() {
    return target;
  }

  @Override
  public String initiator() {
    return initiator;
  }

  TransportId port() {
    return port;
  }

  String driver() {
    return driver;
  }

  /** A LUN map and the array of its LUNs below {@link #DIRECT_LUNS}. */
  private record LunMap(NavigableMap<Long, Lun> map, Lun[] direct) {}

  /** The LUN with this number as this initiator sees it, or null. */
  Lun lun(long number) {
    LunMap m = luns;
    if (number >= 0 && number < DIRECT_LUNS) {
      return number < m.direct.length ? m.direct[(int) number] : null;
    }
    return m.map.get(number);
  }

  /**
   * Gives the nexus another LUN map, at once for the commands that look up their LUN after
   * this; the commands already running keep the LUN they found.
   */
  void update(NavigableMap<Long, Lun> next) {
    // Registered with the devices it reaches before it can address them, so that no unit
    // attention raised meanwhile misses it; unregistered from those it no longer reaches.
    next.values().forEach(l -> l.device().nexuses.add(this));
    NavigableMap<Long, Lun> before = luns.map;
    luns = new LunMap(next, byNumber(next));
    // The copies it named there are no longer its to ask about (RECEIVE COPY RESULTS).
    before.values().stream().map(Lun::device)
        .filter(d -> next.values().stream().noneMatch(l -> l.device() == d))
        .forEach(d -> {
          d.nexuses.remove(this);
          d.copies.forget(this);
        });
  }

  /** The first LUNs by number, for the command path: no boxing, no tree walk. */
  private static Lun[] byNumber(NavigableMap<Long, Lun> luns) {
    NavigableMap<Long, Lun> low = luns.headMap((long) DIRECT_LUNS, false);
    Lun[] direct = new Lun[low.isEmpty() ? 0 : (int) (low.lastKey() + 1)];
    low.forEach((n, l) -> direct[(int) (long) n] = l);
    return direct;
  }

  NavigableMap<Long, Lun> luns() {
    return luns.map;
  }

  @Override
  public Task newTask(TaskTransport transport, long tag, long lun, byte[] cdb,
      TaskAttribute attribute, DataDirection direction, int expectedLength) {
    return new CoreTask(this, transport, tag, lun, cdb, attribute, direction, expectedLength);
  }

  @Override
  public CompletionStage<TaskManagementResponse> manage(TaskManagementFunction function,
      long lun, long tag) {
    return TaskManagement.manage(this, function, lun, tag);
  }

  @Override
  public void nexusLost() {
    for (Long number : luns.map.keySet()) {
      attentions.establish(number, UnitAttention.I_T_NEXUS_LOSS_OCCURRED);
    }
  }

  boolean measuringLatency() {
    return measureLatency.get();
  }

  String describe() {
    return driver + " session of " + initiator + " to " + target.name();
  }

  /** Ends the nexus, and with it any SPC-2 reservation it holds and medium it locks. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      for (Lun l : luns.map.values()) {
        l.device().release(this);
        l.device().medium.allow(this);
        l.device().taskSet.forget(this);
        l.device().copies.forget(this);
      }
      UnitAttention.detach(this);
      onClose.accept(this);
    }
  }
}
