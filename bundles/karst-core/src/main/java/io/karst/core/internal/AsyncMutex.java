package io.karst.core.internal;

import io.karst.api.device.IoCompletion;
import java.util.ArrayDeque;

/**
 * Mutual exclusion for work that spans threads: the holder may release from another thread
 * (a backend's completion), and a waiter is queued rather than blocked, since commands run on
 * network threads that must not wait.
 */
final class AsyncMutex {

  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private boolean held;

  /** Runs {@code critical} now if the mutex is free, else once it is released to it. */
  void run(Runnable critical) {
    synchronized (this) {
      if (held) {
        waiting.add(critical);
        return;
      }
      held = true;
    }
    critical.run();
  }

  /** Ends the current holder's turn and hands the mutex to the next waiter, if any. */
  void release() {
    Runnable next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        held = false;
        return;
      }
    }
    next.run();
  }

  /** {@code inner}, releasing this mutex first if the operation fails. */
  IoCompletion releasingOnFailure(IoCompletion inner) {
    return completion(inner, false);
  }

  /** {@code inner}, releasing this mutex first when the operation ends, either way. */
  IoCompletion releasing(IoCompletion inner) {
    return completion(inner, true);
  }

  private IoCompletion completion(IoCompletion inner, boolean onSuccess) {
    return new IoCompletion() {
      @Override
      public void completed() {
        if (onSuccess) {
          release();
        }
        inner.completed();
      }

      @Override
      public void failed(Throwable cause) {
        release();
        inner.failed(cause);
      }
    };
  }
}
