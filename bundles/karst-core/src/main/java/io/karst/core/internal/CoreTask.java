package io.karst.core.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.device.IoCompletion;
import io.karst.api.device.MediumException;
import io.karst.api.mgmt.Management.Stage;
import io.karst.api.scsi.DataDirection;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.Status;
import io.karst.api.scsi.Task;
import io.karst.api.scsi.TaskAttribute;
import io.karst.api.scsi.TaskTransport;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Core's side of a task: what the driver filled in, the buffers core asked the driver for, and
 * the outcome. Every path ends in {@link #finish}, which hands the task back to the transport
 * exactly once and lets go of the device.
 */
final class CoreTask implements Task {

  private static final System.Logger LOG = System.getLogger(CoreTask.class.getName());

  final CoreSession session;
  private final TaskTransport transport;
  private final long tag;
  private final long lun;
  private final byte[] cdb;
  private final TaskAttribute attribute;
  private final DataDirection direction;
  private final int expectedLength;
  private static final int SUBMITTED = 1;
  private static final int FINISHED = 2;
  private static final int ABORTED = 4;
  /** Set with {@link #ABORTED} when the initiator is to see the TASK ABORTED status. */
  private static final int REPORTED = 8;
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(CoreTask.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * {@link #SUBMITTED}, {@link #FINISHED}, {@link #ABORTED} and {@link #REPORTED} bits: one
   * field rather than an object per flag, so that whether an abort came before the task
   * finished is one decision.
   */
  private volatile int state;
  /** Completes once the task is handed back; made only when task management waits for it. */
  private CompletableFuture<Void> done;
  /** The transport has been given the task (guarded by this). */
  private boolean handedBack;

  private volatile int transferLength;
  /** The task set the task joined, until it ends there or is withdrawn from it. */
  private volatile TaskSet taskSet;
  private volatile Device holding;
  private volatile ByteBuffer dataOut;
  private volatile int dataOutLength;
  private volatile Consumer<ByteBuffer> onDataOut;
  private volatile ByteBuffer dataInBuffer;
  private volatile ByteBuffer dataIn;
  private volatile Status status;
  private volatile Sense sense;

  // Latency measurement (Management.Stage), when it was on as the task was created: the
  // transitions below hand the task between threads through volatile writes, which publish
  // these plain fields.
  private final boolean measured;
  private final long created;
  private long submittedAt;
  private long dispatched;
  private long dataOutRequested;
  private long dataOutWait;
  private long finishedAt;
  private IoStatistics deviceStatistics;

  CoreTask(CoreSession session, TaskTransport transport, long tag, long lun, byte[] cdb,
      TaskAttribute attribute, DataDirection direction, int expectedLength) {
    this.session = session;
    this.transport = transport;
    this.tag = tag;
    this.lun = lun;
    this.cdb = cdb;
    this.attribute = attribute;
    this.direction = direction;
    this.expectedLength = expectedLength;
    this.measured = session.measuringLatency();
    this.created = measured ? System.nanoTime() : 0;
  }

  @Override
  public long tag() {
    return tag;
  }

  @Override
  public long lun() {
    return lun;
  }

  @Override
  public byte[] cdb() {
    return cdb;
  }

  @Override
  public TaskAttribute attribute() {
    return attribute;
  }

  @Override
  public DataDirection direction() {
    return direction;
  }

  @Override
  public int expectedTransferLength() {
    return expectedLength;
  }

  @Override
  public int transferLength() {
    return transferLength;
  }

  void transferLength(int bytes) {
    transferLength = bytes;
  }

  @Override
  public void submit() {
    if (!setState(SUBMITTED)) {
      throw new IllegalStateException("task " + tag + " is already submitted");
    }
    if (measured) {
      submittedAt = System.nanoTime();
    }
    Pipeline.execute(this);
  }

  /** The task has joined a task set, which it leaves as it finishes. */
  void joined(TaskSet set) {
    taskSet = set;
  }

  /** Whether task management aborted the task. */
  boolean aborted() {
    return (state & ABORTED) != 0;
  }

  /** The device this task holds until it finishes. */
  void hold(Device device) {
    deviceStatistics = device.statistics;
    if (measured) {
      dispatched = System.nanoTime();
    }
    holding = device;
  }

  /**
   * Aborts the task (SAM-5 7.2): one waiting for Data-Out ends now; one at the backend ends,
   * TASK ABORTED, when its I/O completes. Returns false when the task finished first: its
   * status stands, and an ABORT TASK finds no task to abort.
   */
  boolean abort() {
    return abort(false);
  }

  /**
   * Aborts the task as {@link #abort()} does; with {@code reported}, its TASK ABORTED status
   * is for the initiator to see (TAS), unless an earlier abort came first.
   */
  boolean abort(boolean reported) {
    int before = set(reported ? ABORTED | REPORTED : ABORTED);
    if (before < 0 || (before & FINISHED) != 0) {
      return before < 0;
    }
    TaskSet set = taskSet;
    if (set != null && set.withdraw(this)) {
      // Dormant: it never started, and ends now.
      taskSet = null;
      finish(Status.TASK_ABORTED, null, null);
      return true;
    }
    Consumer<ByteBuffer> waiting = onDataOut;
    if (waiting != null) {
      onDataOut = null;
      finish(Status.TASK_ABORTED, null, null);
    }
    return true;
  }

  /**
   * Collects the Data-Out of a command that transfers {@code length} bytes, then runs
   * {@code then} with it (position 0). When the transport announced fewer bytes, only those are
   * collected, and {@code then} sees the shorter buffer: the initiator sent what it announced,
   * and the transport reports the rest as overflow (RFC 7143 11.4.5.2).
   */
  void receive(int length, Consumer<ByteBuffer> then) {
    transferLength = length;
    int collect = Math.min(length, Math.max(0, expectedLength));
    ByteBuffer buffer = transport.allocate(this, collect);
    dataOut = buffer;
    dataOutLength = collect;
    if (measured) {
      dataOutRequested = System.nanoTime();
    }
    onDataOut = then;
    transport.receiveDataOut(this, buffer);
  }

  @Override
  public void dataOutReceived() {
    Consumer<ByteBuffer> then = onDataOut;
    onDataOut = null;
    if (then == null) {
      return;
    }
    if (measured) {
      dataOutWait += System.nanoTime() - dataOutRequested;
    }
    ByteBuffer data = dataOut();
    try {
      then.accept(data);
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "task " + tag + " of " + session.describe() + " failed", e);
      fail(Sense.INTERNAL_TARGET_FAILURE);
    }
  }

  @Override
  public void dataOutFailed(Throwable cause) {
    onDataOut = null;
    finish(Status.CHECK_CONDITION,
        cause instanceof SenseException s ? s.sense() : Sense.DATA_PHASE_ERROR, null);
  }

  @Override
  public ByteBuffer dataOut() {
    ByteBuffer d = dataOut;
    if (d == null) {
      return ByteBuffer.allocate(0);
    }
    d.clear();
    d.limit(dataOutLength);
    return d;
  }

  @Override
  public ByteBuffer allocateDataIn(int length) {
    ByteBuffer b = transport.allocate(this, length);
    dataInBuffer = b;
    return b;
  }

  /** A buffer from the transport for {@code length} bytes the device will read into. */
  ByteBuffer dataInBuffer(int length) {
    transferLength = length;
    return allocateDataIn(length);
  }

  /** Sends {@code data}, cut to the CDB's allocation length, with GOOD status. */
  void respond(byte[] data, int allocationLength) {
    int n = Math.min(data.length, allocationLength);
    transferLength = n;
    if (n == 0) {
      finish(Status.GOOD, null, null);
      return;
    }
    ByteBuffer b = transport.allocate(this, n);
    b.clear();
    b.put(data, 0, n);
    b.flip();
    finish(Status.GOOD, null, b);
  }

  /** Sends the {@code length} bytes read into the buffer from {@link #dataInBuffer}. */
  void respondRead(int length) {
    ByteBuffer b = dataInBuffer;
    b.clear();
    b.limit(length);
    finish(Status.GOOD, null, b);
  }

  /** Another nexus holds the logical unit (SAM-5 5.3.1): RESERVATION CONFLICT, no sense. */
  void conflict() {
    finish(Status.RESERVATION_CONFLICT, null, null);
  }

  void good() {
    finish(Status.GOOD, null, null);
  }

  /** CONDITION MET: what the command asked for holds (PRE-FETCH: the blocks are cached). */
  void conditionMet() {
    finish(Status.CONDITION_MET, null, null);
  }

  void fail(Sense s) {
    finish(Status.CHECK_CONDITION, s, null);
  }

  /**
   * How a backend's answer ends this task: success runs {@code then}; a {@link SenseException}
   * reports its sense; anything else is a medium error (a read's or a write's), at the block
   * where a {@link MediumException} says the transfer stopped, else at {@code lba}.
   */
  IoCompletion io(boolean write, long lba, Runnable then) {
    return new IoCompletion() {
      @Override
      public void completed() {
        try {
          then.run();
        } catch (RuntimeException e) {
          ioFailed(e, write, lba);
        }
      }

      @Override
      public void failed(Throwable cause) {
        ioFailed(cause, write, lba);
      }
    };
  }

  void ioFailed(Throwable cause, boolean write, long lba) {
    if (cause instanceof SenseException se) {
      fail(se.sense());
      return;
    }
    long failed = failedLba(cause, lba);
    LOG.log(Level.WARNING, "LUN " + lun + " of " + session.describe() + ": "
        + (write ? "write" : "read") + " at LBA " + failed + " failed", cause);
    fail((write ? Sense.WRITE_ERROR : Sense.UNRECOVERED_READ_ERROR).withInformation(failed));
  }

  /**
   * The first unrecovered block (SBC-4 4.18): the one holding the offset a
   * {@link MediumException} of the task's own backend names, else {@code lba}, where the
   * operation began.
   */
  private long failedLba(Throwable cause, long lba) {
    Device d = holding;
    return cause instanceof MediumException m && d != null
        && d.backend() instanceof BlockBackend b ? m.offset() / b.blockSize() : lba;
  }

  @Override
  public void complete(Status s, Sense sn) {
    ByteBuffer b = dataInBuffer;
    if (b != null) {
      b.flip();
    }
    finish(s, s == Status.CHECK_CONDITION ? sn : null, b != null && b.hasRemaining() ? b : null);
  }

  /** Sets a state bit; false when it was already set. */
  private boolean setState(int bit) {
    return set(bit) >= 0;
  }

  /** Sets state bits and returns the bits before, or -1 when any of them was already set. */
  private int set(int bit) {
    int before;
    do {
      before = state;
      if ((before & bit) != 0) {
        return -1;
      }
    } while (!STATE.compareAndSet(this, before, before | bit));
    return before;
  }

  /**
   * Completes once the task has been handed back to its transport (at once if it has), for
   * task management: a function's response then follows the task's own.
   */
  synchronized CompletableFuture<Void> done() {
    if (done == null) {
      done = new CompletableFuture<>();
      if (handedBack) {
        done.complete(null);
      }
    }
    return done;
  }

  /** Records the outcome and hands the task back to its transport, once. */
  void finish(Status s, Sense sn, ByteBuffer in) {
    int before = set(FINISHED);
    if (before < 0) {
      return;
    }
    boolean aborted = (before & ABORTED) != 0;
    status = aborted ? Status.TASK_ABORTED : s;
    sense = aborted || sn == null ? null : inDeviceFormat(sn);
    dataIn = aborted ? null : in;
    Device d = holding;
    holding = null;
    if (d != null) {
      d.release(this);
    }
    if (status == Status.CHECK_CONDITION) {
      Lun l = session.lun(lun);
      if (l != null) {
        TaskManagement.checkCondition(this, l.device());
      }
    }
    account();
    try {
      transport.complete(this);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "the transport of " + session.describe()
          + " failed to complete task " + tag, e);
    } finally {
      completeDone();
      // Only now may the tasks it held back start: their responses follow its own.
      TaskSet set = taskSet;
      if (set != null) {
        taskSet = null;
        set.ended(this);
      }
    }
  }

  /** The sense in the format the logical unit's D_SENSE asks for (SPC-4 7.5.8). */
  private Sense inDeviceFormat(Sense sn) {
    Lun l = session.lun(lun);
    return sn.inFormat(l != null && l.device().descriptorSense);
  }

  /** Counts the finished task on its session and device, and times its stages so far. */
  private void account() {
    long read = dataIn != null ? dataIn.remaining() : 0;
    long written = dataOut != null ? dataOutLength : 0;
    IoStatistics device = deviceStatistics;
    session.statistics.completed(status, read, written);
    if (device != null) {
      device.completed(status, read, written);
    }
    if (!measured) {
      return;
    }
    long now = System.nanoTime();
    finishedAt = now;
    record(device, Stage.RECEIVE, submittedAt - created + dataOutWait);
    if (dispatched == 0) {
      record(device, Stage.QUEUE, now - submittedAt);
    } else {
      record(device, Stage.QUEUE, dispatched - submittedAt);
      record(device, Stage.EXECUTE, now - dispatched - dataOutWait);
    }
  }

  private void record(IoStatistics device, Stage stage, long nanos) {
    session.statistics.latency(stage, nanos);
    if (device != null) {
      device.latency(stage, nanos);
    }
  }

  @Override
  public void transmitted() {
    if (measured && finishedAt != 0) {
      record(deviceStatistics, Stage.TRANSMIT, System.nanoTime() - finishedAt);
    }
  }

  private synchronized void completeDone() {
    handedBack = true;
    if (done != null) {
      done.complete(null);
    }
  }

  @Override
  public Status status() {
    return status;
  }

  @Override
  public boolean reported() {
    return status != Status.TASK_ABORTED || (state & REPORTED) != 0;
  }

  @Override
  public Sense sense() {
    return sense;
  }

  @Override
  public ByteBuffer dataIn() {
    return dataIn;
  }
}
