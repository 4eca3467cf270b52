package io.karst.core.internal;

import io.karst.api.device.Backend;
import io.karst.api.device.BlockBackend;
import io.karst.api.device.IoCompletion;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.SenseKey;
import io.karst.api.scsi.Status;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * EXTENDED COPY(LID1) (SPC-4 6.4): the copy manager of a logical unit copies blocks from one
 * block device to another, or within one, without the data passing through the initiator:
 * VMware's VAAI full copy. The parameter list names the copy source and destination devices
 * (CSCDs) with identification descriptors (E4h) and the copies with block device to block
 * device segment descriptors (02h).
 *
 * <p>Access rule: an identification descriptor names a logical unit by the NAA designator of
 * its Device Identification VPD page, and only the logical units of the LUN map of the I_T
 * nexus that sent the command are looked in, so a copy can neither read nor write a device the
 * initiator was not given. Each source is then treated as a READ and each destination as a
 * WRITE the nexus sends through that LUN: write protection, reservations, the ALUA state and
 * the medium apply as they would.
 *
 * <p>Every segment is checked before any block is written, so a bad list changes nothing. The
 * copy then runs a chunk at a time (one buffer of at most {@link #CHUNK_BYTES}), each read and
 * each write holding its range in the device's {@link RangeLock} like a READ or WRITE, so it is
 * consistent with a COMPARE AND WRITE on either side. Overlapping ranges of one device are
 * copied from the end when the destination lies after the source, as a move would be.
 */
final class ExtendedCopy {

  private static final System.Logger LOG = System.getLogger(ExtendedCopy.class.getName());

  static final int EXTENDED_COPY = 0x83;
  static final int LID1 = 0x00;

  private static final int HEADER_LENGTH = 16;
  private static final int CSCD_LENGTH = 32;
  private static final int BLOCK_TO_BLOCK = 0x02;
  /** The DESCRIPTOR LENGTH of a block device to block device segment descriptor. */
  private static final int BLOCK_TO_BLOCK_LENGTH = 0x18;
  private static final int IDENTIFICATION = 0xE4;
  /** The descriptor type codes this copy manager implements, ascending. */
  static final int[] DESCRIPTOR_TYPE_CODES = {BLOCK_TO_BLOCK, IDENTIFICATION};

  static final int MAX_CSCD_DESCRIPTORS = 8;
  static final int MAX_SEGMENT_DESCRIPTORS = 64;
  /** Room for the most CSCD and segment descriptors at once, and no more. */
  static final int MAX_DESCRIPTOR_LIST_LENGTH =
      MAX_CSCD_DESCRIPTORS * CSCD_LENGTH + MAX_SEGMENT_DESCRIPTORS * (4 + BLOCK_TO_BLOCK_LENGTH);
  /**
   * The most bytes one segment moves. A block to block segment counts at most FFFFh blocks of
   * at most 4096 bytes, which stays below it.
   */
  static final int MAX_SEGMENT_BYTES = 256 << 20;
  private static final int CHUNK_BYTES = 1 << 20;
  /** The CSCD descriptor ID of the logical unit the command was sent to (SPC-4 table 110). */
  private static final int THIS_LOGICAL_UNIT = 0xFFFF;

  /** LIST ID USAGE (SPC-4 table 106). */
  private static final int HOLD = 0;
  private static final int NO_LIST_ID = 3;

  static final Sense TOO_MANY_TARGET_DESCRIPTORS =
      new Sense(SenseKey.ILLEGAL_REQUEST, 0x26, 0x06);
  static final Sense UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE =
      new Sense(SenseKey.ILLEGAL_REQUEST, 0x26, 0x07);
  static final Sense TOO_MANY_SEGMENT_DESCRIPTORS =
      new Sense(SenseKey.ILLEGAL_REQUEST, 0x26, 0x08);
  static final Sense UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE =
      new Sense(SenseKey.ILLEGAL_REQUEST, 0x26, 0x09);
  static final Sense OPERATION_IN_PROGRESS = new Sense(SenseKey.ILLEGAL_REQUEST, 0x00, 0x16);
  static final Sense INSUFFICIENT_RESOURCES = new Sense(SenseKey.ILLEGAL_REQUEST, 0x55, 0x03);
  static final Sense COPY_ABORTED = new Sense(SenseKey.COPY_ABORTED, 0x00, 0x00);
  static final Sense COPY_TARGET_DEVICE_NOT_REACHABLE =
      new Sense(SenseKey.COPY_ABORTED, 0x0D, 0x02);
  static final Sense UNEXPECTED_INEXACT_SEGMENT = new Sense(SenseKey.COPY_ABORTED, 0x26, 0x0A);

  private ExtendedCopy() {}

  /** A CSCD identification descriptor: where it is in the list, and what it names. */
  record Cscd(int offset, byte[] designation, int blockLength) {}

  /** A block device to block device segment descriptor, numbered from 0. */
  record Segment(int number, int offset, int source, int destination, boolean destinationCount,
      int blocks, long sourceLba, long destinationLba) {}

  /** A parameter list whose format has been checked. */
  record Parameters(int listId, int listIdUsage, List<Cscd> cscds, List<Segment> segments) {}

  /** A logical unit a CSCD resolved to, through a LUN of the nexus. */
  private record Target(Lun lun, BlockBackend backend) {
    Device device() {
      return lun.device();
    }
  }

  /** One segment, resolved and checked: the bytes it moves between two targets. */
  private record Step(Target source, long sourceOffset, Target destination,
      long destinationOffset, long bytes) {}

  static void execute(CoreTask task, Lun lun, BlockBackend backend) throws SenseException {
    byte[] cdb = task.cdb();
    if ((cdb[1] & 0x1F) != LID1) {
      throw Cdb.invalidField(1, 4);
    }
    long length = Cdb.u32(cdb, 10);
    if (length == 0) {
      // No parameter list: nothing to copy and no error (SPC-4 6.4.1).
      task.good();
      return;
    }
    if (length < HEADER_LENGTH || length > HEADER_LENGTH + MAX_DESCRIPTOR_LIST_LENGTH) {
      throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
    }
    task.receive((int) length, data -> {
      try {
        start(task, lun, backend, parse(data));
      } catch (SenseException e) {
        task.fail(e.sense());
      }
    });
  }

  private static SenseException pointing(Sense sense, int at) {
    return new SenseException(sense.withFieldPointer(false, at, -1));
  }

  /** Checks the parameter list's format, field by field, and decodes it. */
  static Parameters parse(ByteBuffer data) throws SenseException {
    int n = data.remaining();
    byte[] p = new byte[n];
    data.duplicate().get(p);
    if (n < HEADER_LENGTH) {
      throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
    }
    int listId = Cdb.u8(p, 0);
    int usage = (p[1] >>> 3) & 0x03;
    if (usage == 1) {
      throw Cdb.invalidParameter(1, 4);
    }
    if (usage == NO_LIST_ID && listId != 0) {
      throw Cdb.invalidParameter(0, 7);
    }
    int cscdLength = Cdb.u16(p, 2);
    long segmentLength = Cdb.u32(p, 8);
    long inlineLength = Cdb.u32(p, 12);
    if (cscdLength + segmentLength > MAX_DESCRIPTOR_LIST_LENGTH) {
      throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
    }
    if (inlineLength != 0) {
      throw Cdb.invalidParameter(12, 7); // MAXIMUM INLINE DATA LENGTH is zero
    }
    int end = HEADER_LENGTH + cscdLength + (int) segmentLength;
    if (end > n) {
      throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
    }
    if (cscdLength / CSCD_LENGTH > MAX_CSCD_DESCRIPTORS) {
      throw pointing(TOO_MANY_TARGET_DESCRIPTORS, 2);
    }
    List<Cscd> cscds = new ArrayList<>();
    int segments = HEADER_LENGTH + cscdLength;
    for (int at = HEADER_LENGTH; at < segments; at += CSCD_LENGTH) {
      if (Cdb.u8(p, at) != IDENTIFICATION) {
        throw pointing(UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE, at);
      }
      if (at + CSCD_LENGTH > segments) {
        throw Cdb.invalidParameter(2, 7);
      }
      // LU ID TYPE and NUL are obsolete in SPC-4, and ignored.
      if ((p[at + 1] & 0x1F) != Spc.DIRECT_ACCESS) {
        throw Cdb.invalidParameter(at + 1, 4);
      }
      cscds.add(new Cscd(at, Arrays.copyOfRange(p, at + 4, at + 24), Cdb.u24(p, at + 29)));
    }
    List<Segment> list = new ArrayList<>();
    for (int at = segments; at < end; at += 4 + BLOCK_TO_BLOCK_LENGTH) {
      if (end - at < 4) {
        throw Cdb.invalidParameter(8, 7);
      }
      if (list.size() == MAX_SEGMENT_DESCRIPTORS) {
        throw pointing(TOO_MANY_SEGMENT_DESCRIPTORS, at);
      }
      if (Cdb.u8(p, at) != BLOCK_TO_BLOCK) {
        throw pointing(UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE, at);
      }
      if (Cdb.u16(p, at + 2) != BLOCK_TO_BLOCK_LENGTH) {
        throw Cdb.invalidParameter(at + 2, 7);
      }
      if (at + 4 + BLOCK_TO_BLOCK_LENGTH > end) {
        throw Cdb.invalidParameter(8, 7);
      }
      list.add(new Segment(list.size(), at, Cdb.u16(p, at + 4), Cdb.u16(p, at + 6),
          (p[at + 1] & 0x02) != 0, Cdb.u16(p, at + 10), Cdb.u64(p, at + 12),
          Cdb.u64(p, at + 20)));
    }
    return new Parameters(listId, usage, List.copyOf(cscds), List.copyOf(list));
  }

  /** Enters the copy with the copy manager, then checks every segment and runs them. */
  private static void start(CoreTask task, Lun lun, BlockBackend backend, Parameters params)
      throws SenseException {
    CopyResults.Manager manager = lun.device().copies;
    if (!manager.start()) {
      throw new SenseException(INSUFFICIENT_RESOURCES);
    }
    CopyResults.Copy copy = null;
    if (params.listIdUsage() != NO_LIST_ID) {
      copy = manager.identify(task.session, params.listId(), params.listIdUsage() == HOLD);
      if (copy == null) {
        manager.end();
        throw pointing(OPERATION_IN_PROGRESS, 0);
      }
    }
    Run run = new Run(task, new Target(lun, backend), manager, copy);
    try {
      run.resolve(params);
    } catch (SenseException e) {
      run.finish(Status.CHECK_CONDITION, e.sense());
      return;
    } catch (Conflict e) {
      run.finish(Status.RESERVATION_CONFLICT, null);
      return;
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "EXTENDED COPY of " + task.session.describe() + " failed", e);
      run.finish(Status.CHECK_CONDITION, Sense.INTERNAL_TARGET_FAILURE);
      return;
    }
    run.next();
  }

  /** Another nexus holds a reservation on a copy source or destination. */
  private static final class Conflict extends Exception {
    Conflict() {
      super(null, null, false, false);
    }
  }

  /**
   * One EXTENDED COPY from its checks to its status. The segments run chunk after chunk, a
   * read then a write each.
   */
  private static final class Run extends IoLoop {
    private final CoreTask task;
    private final Target self;
    private final CopyResults.Manager manager;
    private final CopyResults.Copy copy;
    /** The other devices the copy holds, as the command holds its own, until it ends. */
    private final Set<Device> acquired = new LinkedHashSet<>();
    private final Map<Integer, Target> resolved = new HashMap<>();
    private final List<Step> steps = new ArrayList<>();
    private ByteBuffer buffer;
    private int step;
    private long done;
    private int chunk;
    private boolean writing;

    Run(CoreTask task, Target self, CopyResults.Manager manager, CopyResults.Copy copy) {
      this.task = task;
      this.self = self;
      this.manager = manager;
      this.copy = copy;
    }

    /** Resolves the CSCDs each segment names and checks the segment against them. */
    void resolve(Parameters params) throws SenseException, Conflict {
      long largest = 0;
      for (Segment s : params.segments()) {
        Target source = target(params, s, s.source(), s.offset() + 4, false);
        Target destination = target(params, s, s.destination(), s.offset() + 6, true);
        int sourceBlock = source.backend().blockSize();
        int destinationBlock = destination.backend().blockSize();
        long bytes = (long) s.blocks() * (s.destinationCount() ? destinationBlock : sourceBlock);
        if (bytes % sourceBlock != 0 || bytes % destinationBlock != 0) {
          // A residue would have to be held or padded; this copy manager does neither.
          throw segmentError(UNEXPECTED_INEXACT_SEGMENT, s, s.offset() + 10);
        }
        checkRange(source, s.sourceLba(), bytes / sourceBlock, s, s.offset() + 12);
        checkRange(destination, s.destinationLba(), bytes / destinationBlock, s,
            s.offset() + 20);
        steps.add(new Step(source, s.sourceLba() * sourceBlock, destination,
            s.destinationLba() * destinationBlock, bytes));
        largest = Math.max(largest, bytes);
      }
      buffer = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, largest));
    }

    private static SenseException segmentError(Sense sense, Segment s, int at) {
      return new SenseException(sense.withCommandSpecificInformation(s.number())
          .withFieldPointer(false, at, -1));
    }

    private static void checkRange(Target t, long lba, long blocks, Segment s, int at)
        throws SenseException {
      long capacity = t.backend().blockCount();
      if (lba < 0 || lba > capacity || blocks > capacity - lba) {
        // The copy manager refuses the segment before any copy target sees a command, so no
        // target's sense applies: COPY ABORTED, the segment and the field it points at.
        throw segmentError(COPY_ABORTED, s, at);
      }
    }

    /**
     * The target a CSCD descriptor ID names, reached as a READ (source) or WRITE (destination)
     * of this nexus would reach it.
     */
    private Target target(Parameters params, Segment s, int id, int at, boolean destination)
        throws SenseException, Conflict {
      Target t = resolved.get(id);
      if (t == null) {
        t = id == THIS_LOGICAL_UNIT ? self : resolve(params, s, id, at);
        resolved.put(id, t);
      }
      int opcode = destination ? Sbc.WRITE_16 : Sbc.READ_16;
      Device d = t.device();
      if (Reservations.conflicts(task, d, opcode)
          || PersistentReservations.conflicts(task, d, opcode)) {
        throw new Conflict();
      }
      // A device being sanitized, or left in failure mode by a failed sanitize, is no more
      // read or written through a copy than by a READ or WRITE of its own (SBC-4 4.11).
      Sense sanitize = d.sanitize.condition();
      if (sanitize != null) {
        throw segmentError(new Sense(SenseKey.COPY_ABORTED, sanitize.asc(), sanitize.ascq()),
            s, at);
      }
      if (destination && t.lun().writeProtected()) {
        throw new SenseException(Sense.WRITE_PROTECTED);
      }
      return t;
    }

    private Target resolve(Parameters params, Segment s, int id, int at) throws SenseException {
      if (id >= params.cscds().size()) {
        throw segmentError(COPY_TARGET_DEVICE_NOT_REACHABLE, s, at);
      }
      Cscd cscd = params.cscds().get(id);
      Lun found = null;
      for (Lun l : task.session.luns().values()) {
        if (names(cscd.designation(), l.device()) && (found == null || !l.writeProtected())) {
          found = l;
        }
      }
      BlockBackend backend = found == null ? null : reach(found);
      if (backend == null) {
        throw segmentError(COPY_TARGET_DEVICE_NOT_REACHABLE, s, at);
      }
      if (cscd.blockLength() != backend.blockSize()) {
        throw Cdb.invalidParameter(cscd.offset() + 29, 7);
      }
      return new Target(found, backend);
    }

    /**
     * Whether a designation descriptor (SPC-4 7.8.6.1) is the NAA designator of the device,
     * associated with the logical unit.
     */
    private static boolean names(byte[] designation, Device device) {
      byte[] naa = device.identity.naa();
      int length = designation[3] & 0xFF;
      return (designation[0] & 0x0F) == 0x01 // binary code set
          && (designation[1] & 0x3F) == 0x03 // the logical unit's NAA designator
          && length == naa.length && length <= designation.length - 4
          && Arrays.equals(designation, 4, 4 + length, naa, 0, length);
    }

    /** The online block backend behind a LUN, held for the copy; null when unreachable. */
    private BlockBackend reach(Lun l) {
      Device d = l.device();
      if (d == self.device()) {
        return self.backend();
      }
      try {
        Alua.check(l, new byte[] {(byte) Sbc.READ_16});
      } catch (SenseException e) {
        return null;
      }
      if (MediumRemoval.absent(d, Sbc.READ_16)) {
        return null;
      }
      Backend b = acquired.contains(d) ? d.backend() : d.acquire(task);
      if (!(b instanceof BlockBackend block)) {
        if (b != null) {
          d.release(task);
        }
        return null;
      }
      acquired.add(d);
      return block;
    }

    /** Starts the next read or write; false when there is none and the copy has ended. */
    @Override
    boolean issue() {
      while (step < steps.size() && done == steps.get(step).bytes()) {
        step++;
        done = 0;
        if (copy != null) {
          copy.segmentsProcessed = step;
        }
      }
      if (step == steps.size()) {
        finish(Status.GOOD, null);
        return false;
      }
      if (task.aborted()) {
        finish(Status.CHECK_CONDITION, Sense.ABORTED_COMMAND_NO_ASC);
        return false;
      }
      Step s = steps.get(step);
      if (!writing) {
        chunk = (int) Math.min(buffer.capacity(), s.bytes() - done);
      }
      // A destination after an overlapping source of the same device is copied from the end.
      boolean backward = s.source().device() == s.destination().device()
          && s.destinationOffset() > s.sourceOffset()
          && s.destinationOffset() < s.sourceOffset() + s.bytes();
      long from = backward ? s.bytes() - done - chunk : done;
      Target t = writing ? s.destination() : s.source();
      long offset = (writing ? s.destinationOffset() : s.sourceOffset()) + from;
      int blockSize = t.backend().blockSize();
      ByteBuffer b = buffer.duplicate().clear().limit(chunk);
      boolean write = writing;
      t.device().ranges.shared(task, offset / blockSize, chunk / blockSize, hold -> {
        IoCompletion then = hold.ending(this);
        // Else the whole copy, up to 64 segments of MAX_SEGMENT_BYTES, could run on the thread
        // that delivered the parameter list.
        onIoThreads(t.device(), write ? () -> t.backend().write(offset, b, false, then)
            : () -> t.backend().read(offset, b, then), then);
      });
      return true;
    }

    /** The operation just issued has completed: the read's chunk is written next. */
    @Override
    void advance() {
      if (writing) {
        done += chunk;
        if (copy != null) {
          copy.bytesWritten += chunk;
        }
      }
      writing = !writing;
    }

    @Override
    public void failed(Throwable cause) {
      Sense why;
      if (cause instanceof SenseException e) {
        why = e.sense();
      } else {
        LOG.log(Level.WARNING, "EXTENDED COPY of " + task.session.describe() + ": "
            + (writing ? "write" : "read") + " of segment " + step + " failed", cause);
        why = writing ? Sense.WRITE_ERROR : Sense.UNRECOVERED_READ_ERROR;
      }
      Sense aborted = new Sense(SenseKey.COPY_ABORTED, why.asc(), why.ascq())
          .withCommandSpecificInformation(step);
      if (done > 0) {
        // SPC-4 6.4, errors while processing segments: once data of the segment reached the
        // destination, INFORMATION is its residual in destination blocks, counting only the
        // writes that completed; before that it is not defined (VALID 0).
        Step s = steps.get(step);
        aborted = aborted.withInformation((s.bytes() - done) / s.destination().backend()
            .blockSize());
      }
      finish(Status.CHECK_CONDITION, aborted);
    }

    /** Ends the copy: lets the other devices go and reports the outcome. */
    void finish(Status status, Sense sense) {
      for (Device d : acquired) {
        d.release(task);
      }
      manager.end();
      if (copy != null) {
        manager.completed(task.session, copy, status, sense);
      }
      switch (status) {
        case GOOD -> task.good();
        case RESERVATION_CONFLICT -> task.conflict();
        default -> task.fail(sense);
      }
    }
  }
}
