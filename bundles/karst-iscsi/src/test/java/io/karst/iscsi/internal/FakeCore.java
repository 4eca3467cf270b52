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

  record FakeTarget(String name, boolean enabled, boolean admitting) implements Target {
    @Override
    public Map<String, String> attributes() {
      return Map.of("tpgt", "1");
    }

    @Override
    public boolean admits(String initiator) {
      return enabled && admitting;
    }
  }

  final Map<String, String> attributes;
  final List<Target> targets = new ArrayList<>(List.of(
      new FakeTarget("iqn.test:disk", true, true),
      new FakeTarget("iqn.test:off", false, true),
      new FakeTarget("iqn.test:secret", true, false)));
  final List<byte[]> written = new ArrayList<>();
  final List<FakeTask> tasks = new ArrayList<>();
  boolean closed;
  final List<String> managed = new ArrayList<>();
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
  public Session openSession(String target, String initiator, SessionEvents events)
      throws SessionException {
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
      public void close() {
        closed = true;
      }
    };
  }

  static byte pattern(int i) {
    return (byte) (i * 7 + 1);
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
    int length;
    ByteBuffer buffer;
    ByteBuffer in;
    Status status;
    Sense sense;

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
      byte[] b = new byte[buffer.capacity()];
      buffer.duplicate().clear().get(b);
      core.written.add(b);
      finish(Status.GOOD, null, null);
    }

    @Override
    public void dataOutFailed(Throwable cause) {
      finish(Status.CHECK_CONDITION, Sense.DATA_PHASE_ERROR, null);
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
    public Sense sense() {
      return sense;
    }

    @Override
    public ByteBuffer dataIn() {
      return in;
    }
  }
}
