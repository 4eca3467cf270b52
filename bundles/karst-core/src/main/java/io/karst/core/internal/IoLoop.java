package io.karst.core.internal;

import io.karst.api.device.IoCompletion;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Backend operations run one after another, each started once the one before has completed: a
 * long WRITE SAME, an EXTENDED COPY. A backend may complete inline, so the loop runs
 * iteratively while completions come back on the thread that started the operation, and
 * resumes from the completion when they come from elsewhere: no recursion, however many
 * operations there are.
 */
abstract class IoLoop implements IoCompletion {

  private boolean inCall;
  private boolean completedInline;

  /**
   * Starts the next operation with this as its completion, and returns true; or ends the loop
   * (its task) and returns false.
   */
  abstract boolean issue();

  /** The operation started last has completed; the next {@link #issue} follows. */
  void advance() {}

  /** Runs the loop from the next operation. */
  final void next() {
    while (true) {
      synchronized (this) {
        completedInline = false;
        inCall = true;
      }
      boolean issued = issue();
      synchronized (this) {
        inCall = false;
        if (!issued || !completedInline) {
          return;
        }
      }
      advance();
    }
  }

  /**
   * Starts an operation as a task of the device's I/O threads rather than on this thread: a
   * backend that completes inline (a file in memory) would otherwise run every operation of a
   * loop on the thread that started it, an event loop. The device gone offline, its threads
   * refusing the task, or the operation throwing fails it through {@code completion}.
   */
  static void onIoThreads(Device device, Runnable operation, IoCompletion completion) {
    Executor io = device.ioExecutor();
    if (io == null) {
      completion.failed(new IOException("device " + device.name + " went offline"));
      return;
    }
    try {
      io.execute(() -> {
        try {
          operation.run();
        } catch (RuntimeException e) {
          completion.failed(e);
        }
      });
    } catch (RejectedExecutionException e) {
      completion.failed(e);
    }
  }

  @Override
  public final void completed() {
    synchronized (this) {
      if (inCall) {
        completedInline = true;
        return;
      }
    }
    advance();
    next();
  }
}
