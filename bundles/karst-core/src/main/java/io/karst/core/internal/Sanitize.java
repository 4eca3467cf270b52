package io.karst.core.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.SenseKey;
import io.karst.api.scsi.Status;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;

/**
 * SANITIZE (SBC-4 4.11, 5.30): alters every block of the logical unit so that its user data
 * cannot be recovered.
 *
 * <p>Service actions: OVERWRITE writes the initialization pattern over the whole medium, once
 * per pass, inverted between passes with INVERT; BLOCK ERASE, offered by thin backends only,
 * deallocates every block (they then read as zeros, LBPRZ, and WABEREQ says reads succeed);
 * EXIT FAILURE MODE leaves the failure mode of a failed operation that had AUSE set.
 * CRYPTOGRAPHIC ERASE is not supported: no backend encrypts, so there is no key to change. A
 * fully provisioned unit has no block erase either: writing zeros over it is what OVERWRITE
 * with a zero pattern does, and BLOCK ERASE promises deallocated blocks (LBPME).
 *
 * <p>The operation belongs to the logical unit, not to the command: with IMMED the command
 * ends once its CDB and parameter list are checked, without it when the operation ends. It
 * runs on the device's I/O threads a chunk at a time, holding the whole LBA range exclusively
 * ({@link RangeLock}), and persists across task management and I_T nexus loss (SBC-4 4.11.2):
 * an aborted SANITIZE command ends, TASK ABORTED, at the next chunk, and its operation goes
 * on. While it runs, every command but INQUIRY, REPORT LUNS and REQUEST SENSE ends with NOT
 * READY, LOGICAL UNIT NOT READY, SANITIZE IN PROGRESS and the progress in the sense-key
 * specific field, which REQUEST SENSE returns as its data.
 *
 * <p>An operation that fails (a write or an unmap the backend cannot do) leaves the unit in
 * failure mode: commands that access the medium end with MEDIUM ERROR, SANITIZE COMMAND
 * FAILED until a sanitize operation succeeds, or, when the failed one had AUSE set, until
 * EXIT FAILURE MODE. The state lives in memory: a restart of the server ends it.
 */
final class Sanitize {

  private static final System.Logger LOG = System.getLogger(Sanitize.class.getName());

  static final int SANITIZE = 0x48;
  static final int OVERWRITE = 0x01;
  static final int BLOCK_ERASE = 0x02;
  static final int CRYPTOGRAPHIC_ERASE = 0x03;
  static final int EXIT_FAILURE_MODE = 0x1F;

  /** NOT READY, LOGICAL UNIT NOT READY, SANITIZE IN PROGRESS (SBC-4 4.11.2). */
  static final Sense IN_PROGRESS = new Sense(SenseKey.NOT_READY, 0x04, 0x1B);
  /** MEDIUM ERROR, SANITIZE COMMAND FAILED: the failure mode (SBC-4 4.11.3). */
  static final Sense COMMAND_FAILED = new Sense(SenseKey.MEDIUM_ERROR, 0x31, 0x03);

  /**
   * Bytes written or deallocated at a time: the memory of the pattern, the progress step, and
   * how long an aborted SANITIZE command waits to end.
   */
  static final int CHUNK = 1 << 20;
  private static final int HEADER = 4;

  private Sanitize() {}

  /** The sanitize state of a device. */
  static final class State {
    /** Whether an operation runs or the failure mode holds: all the command path reads. */
    private volatile boolean engaged;
    /** The operation in progress, or null (guarded by this). */
    private Run running;
    /** Set when the last operation failed, until one succeeds or EXIT FAILURE MODE. */
    private boolean failureMode;
    /** Whether the failed operation had AUSE set, so EXIT FAILURE MODE may end the mode. */
    private boolean unrestricted;

    /** The sense a refused command reports, or null when there is none to refuse it with. */
    synchronized Sense condition() {
      if (running != null) {
        return IN_PROGRESS.withProgressIndication(running.progress());
      }
      return failureMode ? COMMAND_FAILED : null;
    }

    private synchronized boolean begin(Run run) {
      if (running != null) {
        return false;
      }
      running = run;
      engaged = true;
      return true;
    }

    private synchronized void end(Run run, boolean failed) {
      if (running == run) {
        running = null;
      }
      failureMode = failed;
      unrestricted = failed && run.unrestricted;
      engaged = running != null || failureMode;
    }

    /** EXIT FAILURE MODE; false when the failure mode is the restricted one. */
    private synchronized boolean exitFailureMode() {
      if (failureMode && !unrestricted) {
        return false;
      }
      failureMode = false;
      engaged = running != null;
      return true;
    }

    private synchronized boolean restricted() {
      return failureMode && !unrestricted;
    }
  }

  /**
   * Answers a command that an operation in progress, or the failure mode, does not let
   * through, and says whether it did; false lets the command go on. REQUEST SENSE returns the
   * condition as its data (SPC-4 6.39).
   */
  static boolean refuses(CoreTask task, Lun lun, int opcode) throws SenseException {
    State state = lun.device().sanitize;
    if (!state.engaged) {
      return false;
    }
    Sense why = state.condition();
    if (why == null || opcode == Spc.INQUIRY) {
      return false;
    }
    if (opcode == Spc.REQUEST_SENSE) {
      Spc.requestSense(task, why);
      return true;
    }
    if (why.key() == SenseKey.NOT_READY || accessesMedium(task.cdb(), opcode)) {
      task.fail(why);
      return true;
    }
    return false;
  }

  /** The commands that read or write the medium, which the failure mode refuses. */
  static boolean accessesMedium(byte[] cdb, int opcode) {
    return switch (opcode) {
      case Sbc.READ_6, Sbc.READ_10, Sbc.READ_12, Sbc.READ_16, Sbc.WRITE_6, Sbc.WRITE_10,
          Sbc.WRITE_12, Sbc.WRITE_16, Sbc.VERIFY_10, Sbc.VERIFY_12, Sbc.VERIFY_16,
          Sbc.WRITE_AND_VERIFY_10, Sbc.WRITE_AND_VERIFY_12, Sbc.WRITE_AND_VERIFY_16,
          Sbc.PRE_FETCH_10, Sbc.PRE_FETCH_16, Sbc.SYNCHRONIZE_CACHE_10,
          Sbc.SYNCHRONIZE_CACHE_16, WriteSame.WRITE_SAME_10, WriteSame.WRITE_SAME_16,
          CompareAndWrite.COMPARE_AND_WRITE, OrWrite.ORWRITE_16, WriteAtomic.WRITE_ATOMIC_16,
          Unmap.UNMAP, FormatUnit.FORMAT_UNIT -> true;
      case Sbc.SERVICE_ACTION_IN_16 -> (cdb[1] & 0x1F) == LbaStatus.GET_LBA_STATUS;
      default -> false;
    };
  }

  /** Whether the backend offers BLOCK ERASE: only a thin one deallocates. */
  static boolean blockErase(BlockBackend backend) {
    return Unmap.thin(backend);
  }

  static void execute(CoreTask task, Lun lun, BlockBackend backend) throws SenseException {
    byte[] cdb = task.cdb();
    int flags = Cdb.u8(cdb, 1);
    boolean immediate = (flags & 0x80) != 0;
    boolean ause = (flags & 0x20) != 0;
    int action = flags & 0x1F;
    if ((flags & 0x40) != 0) {
      throw Cdb.invalidField(1, 6); // ZNR: not a zoned block device
    }
    for (int i = 2; i <= 6; i++) {
      if (cdb[i] != 0) {
        throw Cdb.invalidField(i, -1);
      }
    }
    int length = Cdb.u16(cdb, 7);
    int blockSize = backend.blockSize();
    switch (action) {
      case OVERWRITE -> {
        if (length <= HEADER || length > HEADER + blockSize) {
          throw Cdb.invalidField(7, -1);
        }
      }
      case BLOCK_ERASE -> {
        if (!blockErase(backend)) {
          throw Cdb.invalidField(1, 4);
        }
        noParameterList(length);
      }
      case EXIT_FAILURE_MODE -> noParameterList(length);
      // CRYPTOGRAPHIC ERASE among them: no backend encrypts.
      default -> throw Cdb.invalidField(1, 4);
    }
    State state = lun.device().sanitize;
    if (action == EXIT_FAILURE_MODE) {
      if (!state.exitFailureMode()) {
        throw Cdb.invalidField(1, 4); // the failed operation did not allow it (AUSE 0)
      }
      task.good();
      return;
    }
    if (ause && state.restricted()) {
      // Only a sanitize operation in the restricted completion mode may leave it.
      throw Cdb.invalidField(1, 5);
    }
    if (lun.writeProtected()) {
      throw new SenseException(Sense.WRITE_PROTECTED);
    }
    if (action == BLOCK_ERASE) {
      start(task, lun, new Run(lun.device(), backend, ause, null, 1, false), immediate);
      return;
    }
    task.receive(length, list -> {
      try {
        Run run = overwrite(lun.device(), backend, ause, list, length);
        start(task, lun, run, immediate);
      } catch (SenseException e) {
        task.fail(e.sense());
      }
    });
  }

  private static void noParameterList(int length) throws SenseException {
    if (length != 0) {
      throw Cdb.invalidField(7, -1);
    }
  }

  /**
   * The OVERWRITE parameter list (SBC-4 5.30.3.2): INVERT, TEST, OVERWRITE COUNT, then the
   * initialization pattern, repeated from the start of every block.
   */
  static Run overwrite(Device device, BlockBackend backend, boolean ause, ByteBuffer list,
      int length) throws SenseException {
    if (list.remaining() < length) {
      throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
    }
    int first = list.get(0) & 0xFF;
    boolean invert = (first & 0x80) != 0;
    int count = first & 0x1F;
    if ((first & 0x60) != 0) {
      throw Cdb.invalidParameter(0, 6); // TEST: this device server has no test modes
    }
    if (count == 0) {
      throw Cdb.invalidParameter(0, 4);
    }
    if (list.get(1) != 0) {
      throw Cdb.invalidParameter(1, -1);
    }
    int patternLength = Short.toUnsignedInt(list.getShort(2));
    int blockSize = backend.blockSize();
    if (patternLength == 0 || patternLength > blockSize || patternLength != length - HEADER) {
      throw Cdb.invalidParameter(2, -1);
    }
    byte[] block = new byte[blockSize];
    for (int i = 0; i < blockSize; i++) {
      block[i] = list.get(HEADER + i % patternLength);
    }
    return new Run(device, backend, ause, block, count, invert);
  }

  /**
   * Starts the operation unless another one is in progress (which two SANITIZE commands
   * racing past {@link #refuses} could make), once the writes already under way have ended.
   */
  private static void start(CoreTask task, Lun lun, Run run, boolean immediate) {
    Device device = lun.device();
    if (!device.sanitize.begin(run)) {
      task.fail(IN_PROGRESS.withProgressIndication(0));
      return;
    }
    LOG.log(Level.INFO, "device " + device.name + ": sanitize " + run.describe() + " started");
    if (immediate) {
      task.good();
    } else {
      run.waiter = task;
    }
    device.ranges.exclusive(task, 0, run.backend.blockCount(), run::begin);
  }

  /**
   * One sanitize operation: its passes over the medium, chunk after chunk, each pass ended by
   * a flush; each chunk a task of the device's I/O threads.
   */
  static final class Run extends IoLoop {
    private final Device device;
    private final BlockBackend backend;
    private final boolean unrestricted;
    /** One block of pattern, or null to deallocate. */
    private final byte[] block;
    private final int passes;
    private final boolean invert;
    /**
     * Bytes of the medium, read again before every chunk: a size changed by management while
     * the operation runs is followed, so blocks added are sanitized too.
     */
    private volatile long capacity;
    /** The SANITIZE command waiting for the end (IMMED 0), until it ends. */
    private volatile CoreTask waiter;
    /** Bytes of all passes done, for the progress indication. */
    private volatile long done;
    // Handed from operation to operation by the loop, one at a time.
    private RangeLock.Hold hold;
    private ByteBuffer chunk;
    private boolean chunkInverted;
    private int pass;
    private long offset;
    private long issued;
    /** Whether the pass that has reached the end of the medium has been flushed. */
    private boolean flushed;

    Run(Device device, BlockBackend backend, boolean unrestricted, byte[] block, int passes,
        boolean invert) {
      this.device = device;
      this.backend = backend;
      this.unrestricted = unrestricted;
      this.block = block;
      this.passes = passes;
      this.invert = invert;
      this.capacity = capacity();
    }

    private long capacity() {
      return backend.blockCount() * backend.blockSize();
    }

    String describe() {
      return block == null ? "block erase"
          : "overwrite, " + passes + (passes == 1 ? " pass" : " passes")
              + (invert ? " inverting" : "");
    }

    /** How much is done, in 65536ths. */
    int progress() {
      return (int) Math.min(0xFFFF, done * 0x10000 / ((long) passes * capacity));
    }

    private void begin(RangeLock.Hold granted) {
      hold = granted;
      next();
    }

    /**
     * Issues the next chunk; at the end of a pass, with a volatile cache, a flush first, so the
     * medium holds the pass. A block erase's too: a deallocation (a hole punched in a file)
     * sits in the cache as a write does, and the sanitize operation covers the cache (SBC-4
     * 4.11.1). After the last pass, ends the operation.
     */
    @Override
    boolean issue() {
      try {
        releaseAbortedWaiter();
        capacity = capacity();
        while (offset >= capacity) {
          if (!flushed && backend.writeCacheEnabled()) {
            flushed = true;
            issued = 0;
            onIoThreads(device, () -> backend.flush(this), this);
            return true;
          }
          flushed = false;
          if (++pass == passes) {
            end(null);
            return false;
          }
          offset = 0;
        }
        long at = offset;
        long length = Math.min(CHUNK, capacity - at);
        issued = length;
        offset += length;
        onIoThreads(device, block == null ? () -> backend.unmap(at, length, this)
            : () -> backend.write(at, pattern((int) length), false, this), this);
        return true;
      } catch (RuntimeException e) {
        end(e);
        return false;
      }
    }

    @Override
    void advance() {
      done += issued;
    }

    /**
     * The pattern of this pass: with INVERT, passes alternate between the pattern and its
     * inverse so that the last pass writes the pattern itself (SBC-4 5.30.3.2).
     */
    private ByteBuffer pattern(int length) {
      boolean inverted = invert && (passes - pass) % 2 == 0;
      if (chunk == null || chunkInverted != inverted) {
        chunk = ByteBuffer.allocate(CHUNK);
        for (int i = 0; i < chunk.capacity(); i++) {
          byte b = block[i % block.length];
          chunk.put(i, inverted ? (byte) ~b : b);
        }
        chunkInverted = inverted;
      }
      return chunk.duplicate().clear().limit(length);
    }

    /**
     * An aborted SANITIZE command ends now (TASK ABORTED, as it was aborted) so that task
     * management does not wait for the whole operation, which goes on.
     */
    private void releaseAbortedWaiter() {
      CoreTask t = waiter;
      if (t != null && t.aborted()) {
        waiter = null;
        t.finish(Status.TASK_ABORTED, null, null);
      }
    }

    @Override
    public void failed(Throwable cause) {
      end(cause);
    }

    private void end(Throwable cause) {
      if (hold != null) {
        hold.end();
      }
      device.sanitize.end(this, cause != null);
      if (cause == null) {
        LOG.log(Level.INFO, "device " + device.name + ": sanitize " + describe() + " completed");
      } else {
        LOG.log(Level.WARNING, "device " + device.name + ": sanitize " + describe()
            + " failed at byte " + (offset - issued) + "; the unit is in sanitize failure mode",
            cause);
      }
      CoreTask t = waiter;
      waiter = null;
      if (t == null) {
        return;
      }
      if (cause == null) {
        t.good();
      } else {
        t.fail(COMMAND_FAILED);
      }
    }
  }
}
