package io.karst.core.internal;

import io.karst.api.scsi.Task;
import io.karst.api.scsi.TaskTransport;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/** Transports for tests that submit tasks to core directly. */
final class Transports {

  private Transports() {}

  /** A transport that never sends Data-Out and hands each ended task to {@code ended}. */
  static TaskTransport ending(Consumer<Task> ended) {
    return new TaskTransport() {
      @Override
      public ByteBuffer allocate(Task task, int length) {
        return ByteBuffer.allocate(length);
      }

      @Override
      public void receiveDataOut(Task task, ByteBuffer buffer) {}

      @Override
      public void complete(Task task) {
        ended.accept(task);
      }
    };
  }
}
