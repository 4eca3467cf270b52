package io.karst.vdisk.internal;

import io.karst.api.device.IoCompletion;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** An {@link IoCompletion} to wait on, which also counts how often it was called. */
final class Io implements IoCompletion {

  final CompletableFuture<String> done = new CompletableFuture<>();
  final AtomicInteger calls = new AtomicInteger();

  @Override
  public void completed() {
    calls.incrementAndGet();
    done.complete(Thread.currentThread().getName());
  }

  @Override
  public void failed(Throwable cause) {
    calls.incrementAndGet();
    done.completeExceptionally(cause);
  }

  /** Waits; returns the name of the thread that completed. */
  String await() throws Exception {
    return done.get(10, TimeUnit.SECONDS);
  }
}
