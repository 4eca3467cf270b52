package io.karst.core.internal;

import io.karst.api.scsi.Sense;
import io.karst.api.scsi.Status;
import io.karst.api.scsi.TaskAttribute;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The task set of a logical unit (SAM-5 8.6): which task may start when, by task attribute, and
 * how many tasks each I_T_L nexus may have in it.
 *
 * <ul>
 *   <li>SIMPLE starts once every older ORDERED and HEAD OF QUEUE task has ended;
 *   <li>ORDERED starts once every older task has ended;
 *   <li>HEAD OF QUEUE starts at once, ahead of every waiting (dormant) task;
 *   <li>ACA is refused: NACA is not supported, so no ACA condition can exist (SAM-5 5.9.1).
 * </ul>
 *
 * <p>Most tasks are SIMPLE with no ORDERED or HEAD OF QUEUE task around: they pass with one
 * volatile read of {@link #blockers} and atomic counts, no lock and no allocation. The others
 * take the monitor. The two paths meet Dekker-style: a SIMPLE task counts itself {@link #active}
 * before it reads {@link #blockers}, an ORDERED task counts itself a blocker before it reads
 * {@link #active}, so at least one of them sees the other.
 *
 * <p>A nexus beyond {@code max_tgt_dev_commands} tasks gets TASK SET FULL (SAM-5 5.3.1): the
 * limit is per nexus, so the nexus always has tasks of its own in the task set and BUSY, which
 * SAM-5 keeps for a nexus without any, never applies.
 */
final class TaskSet {

  private static final VarHandle ACTIVE;
  private static final VarHandle BLOCKERS;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      ACTIVE = lookup.findVarHandle(TaskSet.class, "active", int.class);
      BLOCKERS = lookup.findVarHandle(TaskSet.class, "blockers", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Tasks per I_T_L nexus beyond which a new one gets TASK SET FULL. */
  private volatile int depth;
  /** The tasks each nexus has in the task set. */
  private final ConcurrentHashMap<CoreSession, AtomicInteger> perNexus =
      new ConcurrentHashMap<>();
  /** Tasks started and not yet ended, of every attribute. */
  private volatile int active;
  /** ORDERED and HEAD OF QUEUE tasks in the task set, dormant or started. */
  private volatile int blockers;
  /** ORDERED and HEAD OF QUEUE tasks started and not yet ended (guarded by this). */
  private int startedBlockers;
  /** Dormant tasks, oldest first (guarded by this). */
  private final ArrayDeque<CoreTask> dormant = new ArrayDeque<>();
  /** Whether a thread is starting tasks released by {@link #ready} (guarded by this). */
  private boolean starting;
  /** Tasks released while another thread was starting others (guarded by this). */
  private final List<CoreTask> released = new ArrayList<>();

  TaskSet(int depth) {
    this.depth = depth;
  }

  /** Changes the depth for tasks that arrive from now on (max_tgt_dev_commands changed). */
  void depth(int tasks) {
    this.depth = tasks;
  }

  /**
   * Takes a task into the task set. Returns true when it may start now; false when it waits,
   * to be started by {@link Pipeline#start} once the tasks ahead of it end, or when it was
   * refused and has already ended (TASK SET FULL, or CHECK CONDITION for ACA).
   */
  boolean admit(CoreTask task) {
    TaskAttribute attribute = task.attribute();
    if (attribute == TaskAttribute.ACA) {
      task.fail(Sense.INVALID_FIELD_IN_CDB);
      return false;
    }
    AtomicInteger mine = perNexus.get(task.session);
    if (mine == null) {
      mine = perNexus.computeIfAbsent(task.session, s -> new AtomicInteger());
    }
    if (mine.incrementAndGet() > depth) {
      mine.decrementAndGet();
      task.finish(Status.TASK_SET_FULL, null, null);
      return false;
    }
    task.joined(this);
    if (attribute == TaskAttribute.SIMPLE && blockers == 0) {
      ACTIVE.getAndAdd(this, 1);
      if (blockers == 0) {
        return true;
      }
      // An ORDERED or HEAD OF QUEUE task came in meanwhile: wait behind it.
      ACTIVE.getAndAdd(this, -1);
    }
    List<CoreTask> start;
    boolean now = false;
    synchronized (this) {
      if (attribute == TaskAttribute.HEAD_OF_QUEUE) {
        BLOCKERS.getAndAdd(this, 1);
        ACTIVE.getAndAdd(this, 1);
        startedBlockers++;
        now = true;
      } else {
        if (attribute == TaskAttribute.ORDERED) {
          BLOCKERS.getAndAdd(this, 1);
        }
        dormant.addLast(task);
      }
      start = ready();
    }
    startAll(start);
    return now;
  }

  /** A task that joined ends: the tasks it held back may start. */
  void ended(CoreTask task) {
    leave(task.session);
    boolean blocker = task.attribute() != TaskAttribute.SIMPLE;
    if (!blocker) {
      ACTIVE.getAndAdd(this, -1);
      if (blockers == 0) {
        return;
      }
    }
    List<CoreTask> start;
    synchronized (this) {
      if (blocker) {
        ACTIVE.getAndAdd(this, -1);
        BLOCKERS.getAndAdd(this, -1);
        startedBlockers--;
      }
      start = ready();
    }
    startAll(start);
  }

  /**
   * Takes a dormant task out of the task set, as an abort does; false when it has started (or
   * was never dormant), so that it ends the way started tasks do.
   */
  boolean withdraw(CoreTask task) {
    List<CoreTask> start;
    synchronized (this) {
      if (!dormant.remove(task)) {
        return false;
      }
      if (task.attribute() == TaskAttribute.ORDERED) {
        BLOCKERS.getAndAdd(this, -1);
      }
      start = ready();
    }
    leave(task.session);
    startAll(start);
    return true;
  }

  private void leave(CoreSession session) {
    AtomicInteger mine = perNexus.get(session);
    if (mine != null) {
      mine.decrementAndGet();
    }
  }

  /** The dormant tasks, youngest first, for task management to add to. */
  synchronized List<CoreTask> dormant() {
    List<CoreTask> youngestFirst = new ArrayList<>(dormant.size());
    dormant.descendingIterator().forEachRemaining(youngestFirst::add);
    return youngestFirst;
  }

  /** Forgets a nexus that has ended. */
  void forget(CoreSession session) {
    perNexus.remove(session);
  }

  /**
   * Takes the dormant tasks that may start now off the head of the queue, oldest first; returns
   * null when this thread is not to start them, because another one is already starting tasks
   * and will take these too. Called holding the monitor.
   */
  private List<CoreTask> ready() {
    while (!dormant.isEmpty()) {
      CoreTask head = dormant.peekFirst();
      if (head.attribute() == TaskAttribute.ORDERED) {
        if (active != 0) {
          break;
        }
        startedBlockers++;
      } else if (startedBlockers != 0) {
        break;
      }
      dormant.pollFirst();
      ACTIVE.getAndAdd(this, 1);
      released.add(head);
    }
    if (starting || released.isEmpty()) {
      return null;
    }
    starting = true;
    List<CoreTask> start = List.copyOf(released);
    released.clear();
    return start;
  }

  /**
   * Starts released tasks outside the monitor. A task that ends at once releases others, which
   * the loop takes rather than recursing, so the stack stays flat however long the queue.
   */
  private void startAll(List<CoreTask> start) {
    while (start != null) {
      for (CoreTask t : start) {
        Pipeline.start(t);
      }
      synchronized (this) {
        if (released.isEmpty()) {
          starting = false;
          return;
        }
        start = List.copyOf(released);
        released.clear();
      }
    }
  }
}
