package io.karst.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class RangeLockTest {

  private final RangeLock lock = new RangeLock();
  private final List<RangeLock.Hold> started = new ArrayList<>();

  private void shared(long lba, long blocks) {
    lock.shared(null, lba, blocks, started::add);
  }

  private void exclusive(long lba, long blocks) {
    lock.exclusive(null, lba, blocks, started::add);
  }

  @Test
  void sharedHoldsOverlapFreely() {
    shared(0, 8);
    shared(4, 8);
    assertThat(started).hasSize(2);
  }

  @Test
  void anExclusiveHoldWaitsForTheIoInFlightAndHoldsBackWhatOverlaps() {
    shared(0, 8);
    exclusive(4, 2);
    assertThat(started).as("a read or write in flight holds the atomic operation").hasSize(1);
    started.get(0).end();
    assertThat(started).hasSize(2);
    shared(5, 1);
    shared(6, 4);
    exclusive(0, 4);
    assertThat(started).as("only what does not overlap 4..5 starts").hasSize(4);
    assertThat(started.get(3)).isNotNull();
    started.get(1).end();
    assertThat(started).hasSize(5);
  }

  @Test
  void holdsStartInTheOrderAskedAmongThoseThatOverlap() {
    exclusive(0, 1);
    shared(0, 1);
    exclusive(0, 1);
    shared(0, 1);
    assertThat(started).hasSize(1);
    started.get(0).end();
    assertThat(started).hasSize(2);
    started.get(1).end();
    assertThat(started).hasSize(3);
    started.get(2).end();
    started.get(2).end(); // a second end changes nothing
    assertThat(started).hasSize(4);
    started.get(3).end();
    shared(0, 1);
    assertThat(started).as("with no atomic operation left, I/O starts at once").hasSize(5);
  }

  @Test
  void workCompletingInlineDoesNotRecursePerQueuedHold() {
    exclusive(0, 1);
    for (int i = 0; i < 20_000; i++) {
      lock.shared(null, 0, 1, RangeLock.Hold::end);
    }
    started.get(0).end();
    shared(0, 1);
    assertThat(started).as("every queued hold ran and ended").hasSize(2);
  }

  /**
   * Threads take random holds on a small device, one at a time each, and record who is inside
   * each block: an exclusive hold never finds anyone else in its blocks, nor does anyone enter
   * them while it is held. The work runs on whichever thread ends the hold before it.
   */
  @Test
  void exclusiveHoldsExcludeEverythingUnderConcurrency() throws Exception {
    int blocks = 16;
    AtomicIntegerArray inside = new AtomicIntegerArray(blocks);
    AtomicInteger violations = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    int perThread = 5_000;
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    for (int t = 0; t < threads; t++) {
      pool.execute(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < perThread; i++) {
          int first = random.nextInt(blocks);
          int n = 1 + random.nextInt(Math.min(4, blocks - first));
          boolean exclusive = random.nextInt(4) == 0;
          // Exclusive holders mark their blocks with a large value, shared ones with 1.
          int mark = exclusive ? 1000 : 1;
          CountDownLatch ran = new CountDownLatch(1);
          Consumer<RangeLock.Hold> work = h -> {
            for (int b = first; b < first + n; b++) {
              int before = inside.getAndAdd(b, mark);
              if (exclusive ? before != 0 : before >= 1000) {
                violations.incrementAndGet();
              }
            }
            Thread.yield();
            for (int b = first; b < first + n; b++) {
              inside.addAndGet(b, -mark);
            }
            done.incrementAndGet();
            ran.countDown();
            h.end();
          };
          if (exclusive) {
            lock.exclusive(null, first, n, work);
          } else {
            lock.shared(null, first, n, work);
          }
          try {
            ran.await();
          } catch (InterruptedException e) {
            return;
          }
        }
      });
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(5, TimeUnit.MINUTES)).isTrue();
    assertThat(violations.get()).isZero();
    assertThat(done.get()).as("every hold ran").isEqualTo(threads * perThread);
  }
}
