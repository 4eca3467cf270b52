package io.karst.local.internal;

import io.karst.api.local.LocalResult;
import io.karst.api.local.LocalSession;
import io.karst.api.scsi.DataDirection;
import io.karst.api.scsi.Task;
import io.karst.api.scsi.TaskAttribute;
import io.karst.api.scsi.TaskTransport;
import io.karst.api.target.Session;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A local I_T nexus: each command becomes a task whose transport is a heap buffer and a
 * future.
 */
final class LocalNexus implements LocalSession {

  private final Session session;
  private final Consumer<LocalNexus> onClose;
  private final AtomicLong tags = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();

  LocalNexus(Session session, Consumer<LocalNexus> onClose) {
    this.session = session;
    this.onClose = onClose;
  }

  @Override
  public CompletionStage<LocalResult> execute(long lun, byte[] cdb, byte[] dataOut,
      int dataInLength) {
    return execute(lun, cdb, dataOut, dataInLength, TaskAttribute.SIMPLE);
  }

  @Override
  public CompletionStage<LocalResult> execute(long lun, byte[] cdb, byte[] dataOut,
      int dataInLength, TaskAttribute attribute) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(new IllegalStateException("session is closed"));
    }
    Command command = new Command(dataOut, dataInLength);
    DataDirection direction = dataOut != null ? DataDirection.WRITE
        : dataInLength > 0 ? DataDirection.READ : DataDirection.NONE;
    int expected = dataOut != null ? dataOut.length : Math.max(0, dataInLength);
    Task task = session.newTask(command, tags.incrementAndGet(), lun, cdb.clone(), attribute,
        direction, expected);
    task.submit();
    return command.result;
  }

  /** One command's transport: heap buffers, and the future the caller waits on. */
  private static final class Command implements TaskTransport {
    final CompletableFuture<LocalResult> result = new CompletableFuture<>();
    private final byte[] dataOut;
    private final int dataInLength;

    Command(byte[] dataOut, int dataInLength) {
      this.dataOut = dataOut;
      this.dataInLength = dataInLength;
    }

    @Override
    public ByteBuffer allocate(Task task, int length) {
      return ByteBuffer.allocate(length);
    }

    @Override
    public void receiveDataOut(Task task, ByteBuffer buffer) {
      if (dataOut == null || dataOut.length < buffer.remaining()) {
        task.dataOutFailed(new IllegalArgumentException("the command needs "
            + buffer.remaining() + " bytes of Data-Out"));
        return;
      }
      buffer.put(dataOut, 0, buffer.remaining());
      task.dataOutReceived();
    }

    @Override
    public void complete(Task task) {
      ByteBuffer in = task.dataIn();
      int available = in == null ? 0 : in.remaining();
      byte[] data = new byte[Math.min(available, Math.max(0, dataInLength))];
      if (in != null) {
        in.duplicate().get(data);
      }
      int residual = available - Math.max(0, dataInLength);
      LocalResult r = new LocalResult(task.status(), task.sense(), data, residual);
      task.transmitted();
      result.complete(r);
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      session.close();
      onClose.accept(this);
    }
  }
}
