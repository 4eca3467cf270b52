package io.karst.vcdrom.internal;

import io.karst.api.scsi.DataDirection;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.Status;
import io.karst.api.scsi.Task;
import io.karst.api.scsi.TaskAttribute;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A task as a command backend sees it, which records how the backend completes it. */
final class FakeTask implements Task {

  private final byte[] cdb;
  private final ByteBuffer dataOut;
  private final CompletableFuture<Status> done = new CompletableFuture<>();
  private ByteBuffer dataIn;
  private volatile Sense sense;

  FakeTask(byte[] cdb, byte[] dataOut) {
    this.cdb = cdb;
    this.dataOut = dataOut == null ? null : ByteBuffer.wrap(dataOut);
  }

  /** Waits for the backend to complete the task and returns the status. */
  Status await() throws Exception {
    return done.get(10, TimeUnit.SECONDS);
  }

  @Override
  public long tag() {
    return 1;
  }

  @Override
  public long lun() {
    return 0;
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
    return dataOut == null ? DataDirection.READ : DataDirection.WRITE;
  }

  @Override
  public int expectedTransferLength() {
    return dataOut == null ? 1 << 24 : dataOut.capacity();
  }

  @Override
  public int transferLength() {
    return 0;
  }

  @Override
  public void submit() {}

  @Override
  public void dataOutReceived() {}

  @Override
  public void dataOutFailed(Throwable cause) {}

  @Override
  public ByteBuffer dataOut() {
    return dataOut;
  }

  @Override
  public ByteBuffer allocateDataIn(int length) {
    dataIn = ByteBuffer.allocate(length);
    return dataIn;
  }

  @Override
  public void complete(Status status, Sense s) {
    if (dataIn != null) {
      dataIn.flip();
    }
    sense = s;
    if (!done.complete(status)) {
      throw new AssertionError("completed twice");
    }
  }

  @Override
  public Status status() {
    return done.getNow(null);
  }

  @Override
  public Sense sense() {
    return sense;
  }

  @Override
  public ByteBuffer dataIn() {
    return dataIn;
  }

  /** The Data-In as an array, empty when there was none. */
  byte[] data() {
    if (dataIn == null) {
      return new byte[0];
    }
    byte[] b = new byte[dataIn.remaining()];
    dataIn.duplicate().get(b);
    return b;
  }

  @Override
  public void transmitted() {}
}
