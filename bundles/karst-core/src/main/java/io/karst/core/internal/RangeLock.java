package io.karst.core.internal;

import io.karst.api.device.IoCompletion;
import io.karst.api.scsi.Sense;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The LBA ranges of a device that commands are reading, writing or changing atomically, so that
 * an atomic operation (COMPARE AND WRITE, ORWRITE, WRITE ATOMIC, SANITIZE: SBC-4 4.29) is
 * atomic against every other command on its range: no READ or WRITE of an overlapping range
 * runs between its read and its write, nor sees half of its write.
 *
 * <p>Plain reads and writes share ranges with each other (SIMPLE tasks run concurrently) and
 * exclude atomic operations; an atomic operation excludes everything that overlaps it. Holds
 * start in the order they were asked for among those that overlap, so a stream of writes does
 * not starve an atomic operation nor the other way round.
 *
 * <p>The path of plain I/O stays cheap: while no atomic operation is active it only counts
 * itself in a striped counter and reads one volatile field, and is not entered in the list. An
 * atomic operation first publishes itself in {@link #atomics}, then waits for the counted I/O
 * to drain; a plain command counts itself before it reads {@link #atomics}, so (volatile
 * accesses being totally ordered) either it sees the atomic operation and takes the listed
 * path, or the atomic operation sees its count and waits for it.
 */
final class RangeLock {

  private static final System.Logger LOG = System.getLogger(RangeLock.class.getName());

  /** Plain reads and writes in flight that are not in {@link #holds}. */
  private final LongAdder unlisted = new LongAdder();
  /** Atomic operations asked for and not yet ended; nonzero sends plain I/O to the list. */
  private volatile int atomics;
  /** Calls of {@link #advance} not yet served. */
  private final AtomicInteger advancing = new AtomicInteger();
  /** Listed holds, oldest first, running or waiting (guarded by this). */
  private final Set<Hold> holds = new LinkedHashSet<>();
  /** The exclusive ones among {@link #holds} (guarded by this). */
  private final List<Hold> exclusives = new ArrayList<>();

  /**
   * A command's claim on a range, from when it may start until {@link #end}. Every READ and
   * WRITE makes one, so it is its own completion ({@link #ending}) and keeps its ended flag in
   * a field: no further object per command.
   */
  final class Hold implements IoCompletion {
    private static final VarHandle ENDED;

    static {
      try {
        ENDED = MethodHandles.lookup().findVarHandle(Hold.class, "ended", boolean.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final CoreTask task;
    private final long first;
    private final long end;
    private final boolean exclusive;
    private final boolean listed;
    private volatile boolean ended;
    private Consumer<Hold> start;
    private boolean running;
    /** The completion {@link #ending} was given, run once this hold has ended. */
    private IoCompletion then;

    private Hold(CoreTask task, long lba, long blocks, boolean exclusive, boolean listed) {
      this.task = task;
      this.first = lba;
      this.end = lba + Math.max(1, blocks);
      this.exclusive = exclusive;
      this.listed = listed;
    }

    private boolean overlaps(Hold o) {
      return first < o.end && o.first < end;
    }

    /** Lets the range go; further calls do nothing. */
    void end() {
      if (!ENDED.compareAndSet(this, false, true)) {
        return;
      }
      if (!listed) {
        unlisted.decrement();
        if (atomics != 0) {
          advance();
        }
        return;
      }
      synchronized (RangeLock.this) {
        holds.remove(this);
        if (exclusive) {
          exclusives.remove(this);
          atomics--;
        }
      }
      advance();
    }

    /**
     * {@code inner}, ending this hold first when the operation ends, either way: the hold
     * itself, so it is for the last operation under the hold, once.
     */
    IoCompletion ending(IoCompletion inner) {
      then = inner;
      return this;
    }

    @Override
    public void completed() {
      end();
      then.completed();
    }

    @Override
    public void failed(Throwable cause) {
      end();
      then.failed(cause);
    }

    /** {@code inner}, ending this hold first if the operation fails. */
    IoCompletion endingOnFailure(IoCompletion inner) {
      return new IoCompletion() {
        @Override
        public void completed() {
          inner.completed();
        }

        @Override
        public void failed(Throwable cause) {
          end();
          inner.failed(cause);
        }
      };
    }
  }

  /**
   * Runs {@code start} with a shared hold on the blocks, now or once no overlapping atomic
   * operation is ahead of it; the caller ends the hold when its I/O is over.
   */
  void shared(CoreTask task, long lba, long blocks, Consumer<Hold> start) {
    unlisted.increment();
    if (atomics == 0) {
      run(new Hold(task, lba, blocks, false, false), start);
      return;
    }
    unlisted.decrement();
    Hold h = new Hold(task, lba, blocks, false, true);
    boolean now;
    boolean atomicWaiting;
    synchronized (this) {
      // Exclusive holds are few, and all of them are before this one.
      now = exclusives.stream().noneMatch(h::overlaps);
      h.running = now;
      h.start = now ? null : start;
      holds.add(h);
      atomicWaiting = exclusives.stream().anyMatch(e -> !e.running);
    }
    if (now) {
      run(h, start);
    }
    if (atomicWaiting) {
      // The count just dropped: an atomic operation may have been waiting on it.
      advance();
    }
  }

  /**
   * Runs {@code start} with an exclusive hold on the blocks, once every command that overlaps
   * them and came before has ended.
   */
  void exclusive(CoreTask task, long lba, long blocks, Consumer<Hold> start) {
    Hold h = new Hold(task, lba, blocks, true, true);
    synchronized (this) {
      atomics++;
      h.start = start;
      holds.add(h);
      exclusives.add(h);
    }
    advance();
  }

  /**
   * Starts every listed hold that may start now, outside the lock. One thread at a time does
   * it, looping while others ask again: work that completes inline ends its hold and asks from
   * within, which would otherwise recurse once per queued hold.
   */
  private void advance() {
    if (advancing.getAndIncrement() != 0) {
      return;
    }
    int asked = 1;
    do {
      List<Hold> ready = new ArrayList<>();
      synchronized (this) {
        // Shared holds wait only for the exclusive ones before them, which are few.
        List<Hold> exclusivesBefore = new ArrayList<>();
        for (Hold h : holds) {
          if (!h.running && mayStart(h, exclusivesBefore)) {
            h.running = true;
            ready.add(h);
          }
          if (h.exclusive) {
            exclusivesBefore.add(h);
          }
        }
      }
      for (Hold h : ready) {
        Consumer<Hold> start = h.start;
        h.start = null;
        run(h, start);
      }
      asked = advancing.addAndGet(-asked);
    } while (asked != 0);
  }

  private boolean mayStart(Hold h, List<Hold> exclusivesBefore) {
    if (!h.exclusive) {
      return exclusivesBefore.stream().noneMatch(h::overlaps);
    }
    if (unlisted.sum() != 0) {
      return false;
    }
    for (Hold before : holds) {
      if (before == h) {
        return true;
      }
      if (before.overlaps(h)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Runs a hold's work. Work that throws instead of handing the hold on fails its task here:
   * it may run on the thread of whichever command ended the hold before it.
   */
  private static void run(Hold h, Consumer<Hold> start) {
    try {
      start.accept(h);
    } catch (RuntimeException e) {
      h.end();
      LOG.log(Level.ERROR, "task " + h.task.tag() + " of " + h.task.session.describe()
          + " failed", e);
      h.task.fail(Sense.INTERNAL_TARGET_FAILURE);
    }
  }
}
