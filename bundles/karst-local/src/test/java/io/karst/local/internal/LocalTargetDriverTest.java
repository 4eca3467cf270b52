package io.karst.local.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.karst.api.local.LocalResult;
import io.karst.api.local.LocalSession;
import io.karst.api.scsi.DataDirection;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.Status;
import io.karst.api.scsi.Task;
import io.karst.api.scsi.TaskAttribute;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LocalTargetDriverTest {

  /** What the fake core saw of each task, and how it answered. */
  private final List<String> seen = new ArrayList<>();
  private int closed;
  private SessionEvents events;

  /** A core that echoes Data-Out back as Data-In, or answers 64 bytes for a read. */
  private final DriverContext context = new DriverContext() {
    @Override
    public Map<String, String> attributes() {
      return Map.of();
    }

    @Override
    public List<Target> targets() {
      return List.of();
    }

    @Override
    public Optional<Target> target(String name) {
      return Optional.empty();
    }

    @Override
    public Session openSession(String target, String initiator, SessionEvents e)
        throws SessionException {
      if (!target.equals("t")) {
        throw new SessionException(SessionException.Reason.TARGET_NOT_FOUND, "no " + target);
      }
      events = e;
      return new Session() {
        @Override
        public Target target() {
          return null;
        }

        @Override
        public String initiator() {
          return initiator;
        }

        @Override
        public Task newTask(TaskTransport transport, long tag, long lun, byte[] cdb,
            TaskAttribute attribute, DataDirection direction, int expectedLength) {
          seen.add(lun + ":" + direction + ":" + expectedLength);
          return new EchoTask(transport, direction, expectedLength);
        }

        @Override
        public java.util.concurrent.CompletionStage<io.karst.api.scsi.TaskManagementResponse>
            manage(io.karst.api.scsi.TaskManagementFunction function, long lun, long tag) {
          throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
          closed++;
        }
      };
    }
  };

  private static final class EchoTask implements Task {
    private final TaskTransport transport;
    private final DataDirection direction;
    private final int expected;
    private ByteBuffer buffer;
    private Status status;
    private Sense sense;

    EchoTask(TaskTransport transport, DataDirection direction, int expected) {
      this.transport = transport;
      this.direction = direction;
      this.expected = expected;
    }

    @Override
    public void submit() {
      if (direction == DataDirection.WRITE) {
        buffer = transport.allocate(this, 8);
        transport.receiveDataOut(this, buffer);
      } else {
        buffer = transport.allocate(this, 64);
        buffer.put(new byte[64]).flip();
        status = Status.GOOD;
        transport.complete(this);
      }
    }

    @Override
    public void dataOutReceived() {
      buffer.flip();
      status = Status.GOOD;
      transport.complete(this);
    }

    @Override
    public void dataOutFailed(Throwable cause) {
      buffer = null;
      status = Status.CHECK_CONDITION;
      sense = Sense.DATA_PHASE_ERROR;
      transport.complete(this);
    }

    @Override public long tag() { return 0; }
    @Override public long lun() { return 0; }
    @Override public byte[] cdb() { return new byte[6]; }
    @Override public TaskAttribute attribute() { return TaskAttribute.SIMPLE; }
    @Override public DataDirection direction() { return direction; }
    @Override public int expectedTransferLength() { return expected; }
    @Override public int transferLength() { return 8; }
    @Override public ByteBuffer dataOut() { return buffer; }
    @Override public ByteBuffer allocateDataIn(int length) { return null; }
    @Override public void complete(Status s, Sense sn) {}
    @Override public Status status() { return status; }
    @Override public Sense sense() { return sense; }
    @Override public ByteBuffer dataIn() { return buffer; }
    @Override public void transmitted() {}
  }

  private static LocalResult get(java.util.concurrent.CompletionStage<LocalResult> stage)
      throws Exception {
    return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void commandsCarryDirectionLengthsAndResiduals() throws Exception {
    LocalTargetDriver driver = new LocalTargetDriver();
    assertThatThrownBy(() -> driver.login("t", "me")).isInstanceOf(SessionException.class)
        .hasMessageContaining("not started");
    driver.start(context);
    LocalSession s = driver.login("t", "me");
    LocalResult write = get(s.execute(2, new byte[10], new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 0));
    assertThat(write.good()).isTrue();
    LocalResult read = get(s.execute(2, new byte[6], null, 16));
    assertThat(read.dataIn()).hasSize(16);
    assertThat(read.residual()).isEqualTo(48);
    assertThat(get(s.execute(2, new byte[6], null, 100)).residual()).isEqualTo(-36);
    LocalResult shortData = get(s.execute(2, new byte[10], new byte[4], 0));
    assertThat(shortData.status()).isEqualTo(Status.CHECK_CONDITION);
    assertThat(seen).containsExactly("2:WRITE:8", "2:READ:16", "2:READ:100", "2:WRITE:4");
  }

  @Test
  void stoppingOrAskingClosesSessions() throws Exception {
    LocalTargetDriver driver = new LocalTargetDriver();
    driver.start(context);
    LocalSession s = driver.login("t", "me");
    events.closeRequested("target disabled");
    assertThat(closed).isEqualTo(1);
    assertThat(s.execute(0, new byte[6], null, 0).toCompletableFuture())
        .isCompletedExceptionally();
    driver.login("t", "me");
    driver.stop();
    assertThat(closed).isEqualTo(2);
    assertThatThrownBy(() -> driver.login("t", "me")).isInstanceOf(SessionException.class);
    assertThatThrownBy(() -> driver.login("x", "me")).isInstanceOf(SessionException.class);
  }
}
