package io.karst.core.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.Status;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * RECEIVE COPY RESULTS (SPC-4 6.18) and what it reports: the copy manager's operating
 * parameters, which the Third-party Copy VPD page (SPC-4 7.8.17) repeats, and the copy
 * operations of each I_T nexus that an {@link ExtendedCopy} named by its list identifier.
 *
 * <p>A copy with LIST ID USAGE 00b is held after it completes, for COPY STATUS and FAILED
 * SEGMENT DETAILS, until both have nothing left to tell (its status was returned and, when it
 * failed, its failure too), another EXTENDED COPY of the nexus reuses its list identifier, or
 * the nexus ends. With 10b it can be followed while it runs and is discarded as it completes;
 * with 11b it has no list identifier. No segment descriptor this copy manager supports holds
 * data, so RECEIVE DATA has nothing to return and is not offered (HELD DATA LIMIT 0).
 */
final class CopyResults {

  static final int RECEIVE_COPY_RESULTS = 0x84;
  static final int COPY_STATUS = 0x00;
  static final int OPERATING_PARAMETERS = 0x03;
  static final int FAILED_SEGMENT_DETAILS = 0x04;

  /** COPY MANAGER STATUS values (SPC-4 table 205). */
  static final int IN_PROGRESS = 0x00;
  static final int COMPLETED = 0x01;
  static final int FAILED = 0x02;

  /** Copies one copy manager runs at once, identified by a list identifier or not. */
  static final int MAX_CONCURRENT_COPIES = 16;

  static final int THIRD_PARTY_COPY_PAGE = 0x8F;

  private CopyResults() {}

  /** One copy operation named by a list identifier, as RECEIVE COPY RESULTS reports it. */
  static final class Copy {
    final int listId;
    /** LIST ID USAGE 00b: kept after it completes. */
    final boolean held;
    volatile int segmentsProcessed;
    volatile long bytesWritten;
    /** The status the EXTENDED COPY ended with, set last; null while it is in progress. */
    volatile Status outcome;
    /** The sense the EXTENDED COPY ended with. */
    volatile Sense sense;
    /** A failure whose details FAILED SEGMENT DETAILS has not returned yet. */
    volatile boolean detailsPending;
    volatile boolean statusReported;

    Copy(int listId, boolean held) {
      this.listId = listId;
      this.held = held;
    }

    /** The COPY MANAGER STATUS its outcome gives. */
    int status() {
      Status o = outcome;
      return o == null ? IN_PROGRESS : o == Status.GOOD ? COMPLETED : FAILED;
    }
  }

  /** The copy manager of one device: its copies in progress, and those held, per nexus. */
  static final class Manager {
    private record Key(CoreSession nexus, int listId) {}

    private final Map<Key, Copy> lists = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();

    /**
     * Starts a copy: false when {@link #MAX_CONCURRENT_COPIES} are already running. Ended by
     * {@link #end}.
     */
    boolean start() {
      if (running.incrementAndGet() > MAX_CONCURRENT_COPIES) {
        running.decrementAndGet();
        return false;
      }
      return true;
    }

    void end() {
      running.decrementAndGet();
    }

    /**
     * Enters a copy under its list identifier for the nexus, replacing one that completed;
     * null when a copy with that identifier is still in progress (SPC-4 6.4.3.2).
     */
    Copy identify(CoreSession nexus, int listId, boolean held) {
      Copy copy = new Copy(listId, held);
      Copy before = lists.compute(new Key(nexus, listId),
          (k, old) -> old != null && old.status() == IN_PROGRESS ? old : copy);
      return before == copy ? copy : null;
    }

    /** Records how a copy ended; one not held is discarded now. */
    void completed(CoreSession nexus, Copy copy, Status outcome, Sense sense) {
      copy.sense = sense;
      copy.detailsPending = outcome != Status.GOOD;
      copy.outcome = outcome; // last: whoever sees it completed sees the rest
      if (!copy.held) {
        lists.remove(new Key(nexus, copy.listId), copy);
      }
    }

    Copy find(CoreSession nexus, int listId) {
      return lists.get(new Key(nexus, listId));
    }

    /** Discards a completed copy once everything it holds has been reported. */
    void reported(CoreSession nexus, Copy copy) {
      if (copy.status() != IN_PROGRESS && copy.statusReported && !copy.detailsPending) {
        lists.remove(new Key(nexus, copy.listId), copy);
      }
    }

    /** The nexus ended: its copies are no longer anyone's to ask about. */
    void forget(CoreSession nexus) {
      lists.keySet().removeIf(k -> k.nexus() == nexus);
    }
  }

  static void execute(CoreTask task, Lun lun, BlockBackend backend) throws SenseException {
    byte[] cdb = task.cdb();
    int allocation = (int) Math.min(Cdb.u32(cdb, 10), Integer.MAX_VALUE);
    switch (cdb[1] & 0x1F) {
      case OPERATING_PARAMETERS -> task.respond(operatingParameters(backend), allocation);
      case COPY_STATUS -> copyStatus(task, lun.device().copies, Cdb.u8(cdb, 2), allocation);
      case FAILED_SEGMENT_DETAILS ->
          failedSegmentDetails(task, lun.device().copies, Cdb.u8(cdb, 2), allocation);
      default -> throw Cdb.invalidField(1, 4);
    }
  }

  /** A list identifier the nexus has no copy under: INVALID FIELD IN CDB (SPC-4 6.18.2). */
  private static Copy find(CoreTask task, Manager manager, int listId) throws SenseException {
    Copy copy = manager.find(task.session, listId);
    if (copy == null) {
      throw Cdb.invalidField(2, 7);
    }
    return copy;
  }

  /**
   * COPY STATUS (SPC-4 6.18.2): the transfer count in kibibytes, which a copy of at most
   * {@link ExtendedCopy#MAX_SEGMENT_BYTES} per segment keeps within its four bytes.
   */
  private static void copyStatus(CoreTask task, Manager manager, int listId, int allocation)
      throws SenseException {
    Copy copy = find(task, manager, listId);
    int status = copy.status();
    ByteBuffer b = ByteBuffer.allocate(12);
    b.putInt(8);
    b.put((byte) status);
    b.putShort((short) copy.segmentsProcessed);
    b.put((byte) 0x01); // TRANSFER COUNT UNITS: kibibytes
    b.putInt((int) (copy.bytesWritten >>> 10));
    if (status != IN_PROGRESS && allocation >= b.capacity()) {
      copy.statusReported = true;
      manager.reported(task.session, copy);
    }
    task.respond(b.array(), allocation);
  }

  /**
   * FAILED SEGMENT DETAILS (SPC-4 6.18.5): the status and sense data a failed copy ended with;
   * no details (AVAILABLE DATA 0) for one that has not failed. Details returned whole are
   * discarded, as are those asked for with an allocation length of zero.
   */
  private static void failedSegmentDetails(CoreTask task, Manager manager, int listId,
      int allocation) throws SenseException {
    Copy copy = find(task, manager, listId);
    Status outcome = copy.outcome; // first: set last, it makes the sense and details visible
    if (outcome == null || !copy.detailsPending) {
      task.respond(new byte[4], allocation);
      return;
    }
    byte[] sense = copy.sense == null ? new byte[0] : copy.sense.toBytes();
    ByteBuffer b = ByteBuffer.allocate(60 + sense.length);
    b.putInt(b.capacity() - 4);
    b.position(56);
    b.put((byte) outcome.code()).put((byte) 0);
    b.putShort((short) sense.length).put(sense);
    if (allocation == 0 || allocation >= b.capacity()) {
      copy.detailsPending = false;
      manager.reported(task.session, copy);
    }
    task.respond(b.array(), allocation);
  }

  /** OPERATING PARAMETERS (SPC-4 6.18.4). */
  static byte[] operatingParameters(BlockBackend backend) {
    int[] codes = ExtendedCopy.DESCRIPTOR_TYPE_CODES;
    ByteBuffer b = ByteBuffer.allocate(44 + codes.length);
    b.putInt(b.capacity() - 4);
    b.put((byte) 0x01); // SNLID: LIST ID USAGE 11b is supported
    b.position(8);
    b.putShort((short) ExtendedCopy.MAX_CSCD_DESCRIPTORS);
    b.putShort((short) ExtendedCopy.MAX_SEGMENT_DESCRIPTORS);
    b.putInt(ExtendedCopy.MAX_DESCRIPTOR_LIST_LENGTH);
    b.putInt(ExtendedCopy.MAX_SEGMENT_BYTES);
    b.putInt(0); // MAXIMUM INLINE DATA LENGTH
    b.putInt(0); // HELD DATA LIMIT
    b.putInt(0); // MAXIMUM STREAM DEVICE TRANSFER SIZE
    b.position(34);
    b.putShort((short) MAX_CONCURRENT_COPIES);
    b.put((byte) MAX_CONCURRENT_COPIES);
    // DATA SEGMENT GRANULARITY: segments are whole blocks of the device, as a power of two.
    b.put((byte) Integer.numberOfTrailingZeros(backend.blockSize()));
    b.put((byte) 0); // INLINE DATA GRANULARITY
    b.put((byte) 0); // HELD DATA GRANULARITY
    b.position(43);
    b.put((byte) codes.length);
    for (int code : codes) {
      b.put((byte) code);
    }
    return b.array();
  }

  /**
   * The third-party copy descriptors of the VPD page (SPC-4 7.8.17) a copy manager of
   * EXTENDED COPY(LID1) reports: Supported Commands, Parameter Data, Supported Descriptors,
   * Supported CSCD Descriptor IDs and General Copy Operations, each padded to four bytes.
   */
  static byte[] thirdPartyCopyPage(int blockSize) {
    ByteBuffer b = ByteBuffer.allocate(256);
    // Supported Commands: EXTENDED COPY(LID1) and the RECEIVE COPY RESULTS service actions.
    int[] actions = {COPY_STATUS, OPERATING_PARAMETERS, FAILED_SEGMENT_DETAILS};
    int commands = 3 + 2 + actions.length;
    ByteBuffer list = ByteBuffer.allocate(1 + commands);
    list.put((byte) commands);
    list.put((byte) ExtendedCopy.EXTENDED_COPY).put((byte) 1).put((byte) ExtendedCopy.LID1);
    list.put((byte) RECEIVE_COPY_RESULTS).put((byte) actions.length);
    for (int a : actions) {
      list.put((byte) a);
    }
    descriptor(b, 0x0001, list.array());
    ByteBuffer parameters = ByteBuffer.allocate(28);
    parameters.position(4);
    parameters.putShort((short) ExtendedCopy.MAX_CSCD_DESCRIPTORS);
    parameters.putShort((short) ExtendedCopy.MAX_SEGMENT_DESCRIPTORS);
    parameters.putInt(ExtendedCopy.MAX_DESCRIPTOR_LIST_LENGTH);
    parameters.putInt(0); // MAXIMUM INLINE DATA LENGTH
    descriptor(b, 0x0004, parameters.array());
    int[] codes = ExtendedCopy.DESCRIPTOR_TYPE_CODES;
    byte[] supported = new byte[1 + codes.length];
    supported[0] = (byte) codes.length;
    for (int i = 0; i < codes.length; i++) {
      supported[1 + i] = (byte) codes[i];
    }
    descriptor(b, 0x0008, supported);
    // The one CSCD descriptor ID outside the list: FFFFh, this logical unit.
    descriptor(b, 0x000C, new byte[] {0, 2, (byte) 0xFF, (byte) 0xFF});
    ByteBuffer general = ByteBuffer.allocate(32);
    general.putInt(MAX_CONCURRENT_COPIES);
    general.putInt(MAX_CONCURRENT_COPIES);
    general.putInt(ExtendedCopy.MAX_SEGMENT_BYTES);
    general.put((byte) Integer.numberOfTrailingZeros(blockSize));
    general.put((byte) 0); // INLINE DATA GRANULARITY
    descriptor(b, 0x8001, general.array());
    return java.util.Arrays.copyOf(b.array(), b.position());
  }

  private static void descriptor(ByteBuffer out, int type, byte[] body) {
    int padded = (body.length + 3) & ~3;
    out.putShort((short) type).putShort((short) padded).put(body);
    out.position(out.position() + padded - body.length);
  }
}
