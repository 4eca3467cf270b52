package io.karst.iscsi.internal;

import io.karst.api.scsi.DataDirection;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.Status;
import io.karst.api.scsi.Task;
import io.karst.api.scsi.TaskAttribute;
import io.karst.api.scsi.TaskManagementFunction;
import io.karst.api.scsi.TaskManagementResponse;
import io.karst.api.scsi.TaskTransport;
import io.karst.api.target.DriverContext;
import io.karst.api.target.Session;
import io.karst.api.target.SessionEvents;
import io.karst.api.target.SessionException;
import io.karst.api.target.Target;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Core as the driver sees it, scripted: targets, and tasks that read a pattern or collect
 * written data, so the driver's protocol is tested without the engine.
 */
final class FakeCore implements DriverContext {

  static Map<String, String> settings(String... overrides) {
    Map<String, String> a = new java.util.HashMap<>(Map.of("portals", "127.0.0.1:0",
        "queue_depth", "16", "max_recv_data_segment_length", "8192", "max_burst_length",
        "16384", "first_burst_length", "4096", "max_outstanding_r2t", "2", "immediate_data",
        "1", "initial_r2t", "0", "nop_in_interval", "0", "nop_in_timeout", "5"));
    for (int i = 0; i < overrides.length; i += 2) {
      a.put(overrides[i], overrides[i + 1]);
    }
    return a;
  }

  /** A target with tpgt 7, an alias, and any further attributes (CHAP users). */
  record FakeTarget(String name, boolean enabled, boolean admitting, Map<String, String> more)
      implements Target {
    FakeTarget(String name, boolean enabled, boolean admitting) {
      this(name, enabled, admitting, Map.of());
    }

    @Override
    public Map<String, String> attributes() {
      Map<String, String> a = new java.util.HashMap<>(more);
      a.put("tpgt", "7");
      a.put("alias", "alias of " + name);
      return a;
    }

    @Override
    public boolean admits(String initiator) {
      return enabled && admitting;
    }
  }

  final Map<String, String> attributes;
  /** Changed by tests while the driver's iSNS thread reads them. */
  final List<Target> targets = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(
      new FakeTarget("iqn.2026-11.test:disk", true, true),
      new FakeTarget("iqn.2026-11.test:off", false, true),
      new FakeTarget("iqn.2026-11.test:secret", true, false)));
  // Synchronized: connections on several event loops may add to them at once.
  final List<byte[]> written = java.util.Collections.synchronizedList(new ArrayList<>());
  final List<FakeTask> tasks = java.util.Collections.synchronizedList(new ArrayList<>());
  boolean closed;
  /** The sessions told they continue a lost nexus, in the order they were opened. */
  int nexusLosses;
  /** Whether core refuses sessions for want of resources. */
  boolean full;
  /** The initiator names sessions were opened for. */
  final List<String> initiators = java.util.Collections.synchronizedList(new ArrayList<>());
  /** The TransportIDs sessions were opened with, in order. */
  final List<byte[]> transportIds = java.util.Collections.synchronizedList(new ArrayList<>());
  /** How the last session's driver hears that core wants it ended. */
  SessionEvents events;
  final List<String> managed = java.util.Collections.synchronizedList(new ArrayList<>());
  /** What task management answers; tests complete it when they choose. */
  java.util.concurrent.CompletableFuture<TaskManagementResponse> tmf =
      java.util.concurrent.CompletableFuture.completedFuture(
          TaskManagementResponse.FUNCTION_COMPLETE);
  /** What the next task does when submitted; by default it answers reads with a pattern. */
  Consumer<FakeTask> behaviour = FakeTask::answer;

  FakeCore(Map<String, String> attributes) {
    this.attributes = attributes;
  }

  @Override
  public Map<String, String> attributes() {
    return attributes;
  }

  @Override
  public List<Target> targets() {
    return targets;
  }

  @Override
  public Optional<Target> target(String name) {
    return targets.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  @Override
  public Session openSession(String target, String initiator, byte[] transportId,
      SessionEvents events) throws SessionException {
    Session s = openSession(target, initiator, events);
    transportIds.add(transportId);
    return s;
  }

  @Override
  public Session openSession(String target, String initiator, SessionEvents events)
      throws SessionException {
    Target t = target(target).orElseThrow(
        () -> new SessionException(SessionException.Reason.TARGET_NOT_FOUND, target));
    if (!t.enabled()) {
      throw new SessionException(SessionException.Reason.TARGET_DISABLED, target);
    }
    if (!t.admits(initiator)) {
      throw new SessionException(SessionException.Reason.NOT_AUTHORIZED, target);
    }
    if (full) {
      throw new SessionException(SessionException.Reason.OUT_OF_RESOURCES, target);
    }
    initiators.add(initiator);
    this.events = events;
    return new Session() {
      @Override
      public Target target() {
        return FakeCore.this.target(target).orElseThrow();
      }

      @Override
      public String initiator() {
        return initiator;
      }

      @Override
      public Task newTask(TaskTransport transport, long tag, long lun, byte[] cdb,
          TaskAttribute attribute, DataDirection direction, int expectedLength) {
        FakeTask t = new FakeTask(FakeCore.this, transport, tag, lun, cdb, direction,
            expectedLength);
        tasks.add(t);
        return t;
      }

      @Override
      public java.util.concurrent.CompletionStage<TaskManagementResponse> manage(
          TaskManagementFunction function, long lun, long tag) {
        managed.add(function + ":" + lun + ":" + tag);
        return tmf;
      }

      @Override
      public void nexusLost() {
        nexusLosses++;
      }

      @Override
      public void close() {
        closed = true;
      }
    };
  }

  /** The medium of {@link #block}: 2048 blocks of 512 bytes. */
  final byte[] disk = new byte[2048 * 512];

  /**
   * A small block device for real initiators: INQUIRY, REPORT LUNS, READ CAPACITY (10),
   * TEST UNIT READY, SYNCHRONIZE CACHE, READ and WRITE (10, 16) on {@link #disk}; anything
   * else is an invalid operation code.
   */
  static void block(FakeTask t) {
    ByteBuffer cdb = ByteBuffer.wrap(t.cdb);
    int op = cdb.get(0) & 0xFF;
    long lba = op >= 0x80 ? cdb.getLong(2) : cdb.getInt(2) & 0xFFFFFFFFL;
    int blocks = op >= 0x80 ? cdb.getInt(10) : cdb.getShort(7) & 0xFFFF;
    byte[] disk = t.core.disk;
    if (op == 0x28 || op == 0x88 || op == 0x2A || op == 0x8A) {
      if ((lba + blocks) * 512 > disk.length) {
        t.finish(Status.CHECK_CONDITION, Sense.LBA_OUT_OF_RANGE, null);
        return;
      }
      int offset = (int) lba * 512;
      t.length = blocks * 512;
      if (op == 0x2A || op == 0x8A) {
        // As core does: only the bytes the initiator announced are collected.
        t.buffer = t.transport.allocate(t, Math.min(t.length, Math.max(0, t.expected)));
        t.onDataOut = b -> b.get(disk, offset, b.remaining());
        t.transport.receiveDataOut(t, t.buffer);
        return;
      }
      t.buffer = t.transport.allocate(t, t.length);
      t.buffer.put(disk, offset, t.length).flip();
      t.finish(Status.GOOD, null, t.buffer);
      return;
    }
    spc(t);
  }

  /**
   * A small SPC device: INQUIRY (standard, and VPD page 0), REPORT LUNS, READ CAPACITY (10) of 2048 blocks of 512 bytes,
   * TEST UNIT READY and SYNCHRONIZE CACHE; anything else is an invalid operation code.
   */
  static void spc(FakeTask t) {
    byte[] cdb = t.cdb;
    byte[] data;
    int allocation;
    switch (cdb[0] & 0xFF) {
      case 0x00, 0x35 -> {
        t.finish(Status.GOOD, null, null);
        return;
      }
      case 0x12 -> {
        data = new byte[36];
        data[2] = 0x06;
        data[3] = 0x02;
        data[4] = 31;
        byte[] id = "KARST   TEST DISK       0001".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(id, 0, data, 8, id.length);
        allocation = ((cdb[3] & 0xFF) << 8) | (cdb[4] & 0xFF);
        if ((cdb[1] & 1) != 0) {
          if (cdb[2] != 0) {
            t.finish(Status.CHECK_CONDITION, Sense.INVALID_FIELD_IN_CDB, null);
            return;
          }
          // Supported VPD pages: only this one.
          data = new byte[] {0, 0, 0, 1, 0};
        }
      }
      case 0xA0 -> {
        data = new byte[16];
        data[3] = 8;
        allocation = ByteBuffer.wrap(cdb, 6, 4).getInt();
      }
      case 0x25 -> {
        data = new byte[] {0, 0, 0x07, (byte) 0xFF, 0, 0, 0x02, 0};
        allocation = 8;
      }
      default -> {
        t.finish(Status.CHECK_CONDITION, Sense.INVALID_COMMAND_OPERATION_CODE, null);
        return;
      }
    }
    t.length = Math.min(data.length, allocation);
    t.buffer = t.transport.allocate(t, t.length);
    t.buffer.put(data, 0, t.length).flip();
    t.finish(Status.GOOD, null, t.buffer);
  }

  static byte pattern(int i) {
    return (byte) (i * 7 + 1);
  }

  /** The first {@code length} bytes a read returns. */
  static byte[] patterned(int length) {
    byte[] data = new byte[length];
    for (int i = 0; i < data.length; i++) {
      data[i] = pattern(i);
    }
    return data;
  }

  /** A task: reads return {@code pattern}, writes keep their data, both end GOOD. */
  static final class FakeTask implements Task {
    final FakeCore core;
    final TaskTransport transport;
    final long tag;
    final long lun;
    final byte[] cdb;
    final DataDirection direction;
    final int expected;
    final java.util.concurrent.atomic.AtomicInteger transmitted =
        new java.util.concurrent.atomic.AtomicInteger();
    int length;
    ByteBuffer buffer;
    ByteBuffer in;
    Status status;
    Sense sense;
    /** What a write does with its data; by default it is kept in {@link FakeCore#written}. */
    Consumer<ByteBuffer> onDataOut;
    /** Whether a TASK ABORTED is for the initiator to see (another nexus aborted it, TAS 1). */
    boolean abortReported;

    FakeTask(FakeCore core, TaskTransport transport, long tag, long lun, byte[] cdb,
        DataDirection direction, int expected) {
      this.core = core;
      this.transport = transport;
      this.tag = tag;
      this.lun = lun;
      this.cdb = cdb;
      this.direction = direction;
      this.expected = expected;
    }

    /** The transfer length is in CDB byte 4 times 512, as a toy READ(6)/WRITE(6) says. */
    void answer() {
      length = (cdb[4] & 0xFF) * 512;
      if (direction == DataDirection.WRITE) {
        buffer = transport.allocate(this, length);
        transport.receiveDataOut(this, buffer);
        return;
      }
      buffer = transport.allocate(this, length);
      for (int i = 0; i < length; i++) {
        buffer.put(i, pattern(i));
      }
      finish(Status.GOOD, null, buffer);
    }

    void finish(Status s, Sense sn, ByteBuffer data) {
      status = s;
      sense = sn;
      in = data;
      transport.complete(this);
    }

    @Override
    public void submit() {
      core.behaviour.accept(this);
    }

    @Override
    public void dataOutReceived() {
      if (onDataOut != null) {
        onDataOut.accept(buffer.duplicate().clear());
      } else {
        byte[] b = new byte[buffer.capacity()];
        buffer.duplicate().clear().get(b);
        core.written.add(b);
      }
      finish(Status.GOOD, null, null);
    }

    @Override
    public void dataOutFailed(Throwable cause) {
      finish(Status.CHECK_CONDITION, cause instanceof io.karst.api.scsi.SenseException s
          ? s.sense() : Sense.DATA_PHASE_ERROR, null);
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
      return TaskAttribute.SIMPLE;
    }

    @Override
    public DataDirection direction() {
      return direction;
    }

    @Override
    public int expectedTransferLength() {
      return expected;
    }

    @Override
    public int transferLength() {
      return length;
    }

    @Override
    public ByteBuffer dataOut() {
      return buffer;
    }

    @Override
    public ByteBuffer allocateDataIn(int n) {
      return transport.allocate(this, n);
    }

    @Override
    public void complete(Status s, Sense sn) {
      finish(s, sn, null);
    }

    @Override
    public Status status() {
      return status;
    }

    @Override
    public boolean reported() {
      return status != Status.TASK_ABORTED || abortReported;
    }

    @Override
    public Sense sense() {
      return sense;
    }

    @Override
    public ByteBuffer dataIn() {
      return in;
    }

    @Override
    public void transmitted() {
      transmitted.incrementAndGet();
    }
  }
}
