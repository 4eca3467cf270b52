package io.karst.core.internal;

import static io.karst.core.internal.TestBed.read10;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.scsi.DataDirection;
import io.karst.api.scsi.Status;
import io.karst.api.scsi.TaskAttribute;
import io.karst.api.scsi.TaskTransport;
import io.karst.api.target.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * SIMPLE and ORDERED tasks submitted while other threads complete their I/O in random order:
 * every ORDERED task ends after all older tasks and before all younger ones, whatever the
 * interleaving of the lock-free SIMPLE path with the queued one.
 */
class TaskSetConcurrencyTest extends BedTest {

  private static final int TASKS = 3000;

  @Override
  String config() {
    return TestBed.CONFIG
        + "TARGET_DRIVER probe {\n enabled 1\n TARGET p {\n  enabled 1\n  LUN 0 disk0\n }\n}\n";
  }

  @Test
  void orderedTasksStayBetweenTheirOlderAndYoungerTasks() throws Exception {
    ProbeDriver probe = new ProbeDriver("probe");
    bed.engine.addDriver(probe);
    bed.engine.settle();
    Session s = probe.context.openSession("p", "iqn.test:probe", reason -> { });
    bed.handler.park = true;
    List<Long> ended = new ArrayList<>();
    Semaphore window = new Semaphore(64);
    CountDownLatch all = new CountDownLatch(TASKS);
    AtomicBoolean bad = new AtomicBoolean();
    TaskTransport transport = Transports.ending(task -> {
      if (task.status() != Status.GOOD) {
        bad.set(true);
      }
      synchronized (ended) {
        ended.add(task.tag());
      }
      window.release();
      all.countDown();
    });
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> completers = new ArrayList<>();
    for (int c = 0; c < 2; c++) {
      Random random = new Random(c);
      Thread t = new Thread(() -> {
        while (!stop.get()) {
          Runnable r = null;
          synchronized (bed.handler.parked) {
            int n = bed.handler.parked.size();
            if (n > 0) {
              r = bed.handler.parked.remove(random.nextInt(n));
            }
          }
          if (r != null) {
            r.run();
          } else {
            Thread.onSpinWait();
          }
        }
      });
      t.start();
      completers.add(t);
    }
    try {
      for (long tag = 0; tag < TASKS; tag++) {
        window.acquire();
        TaskAttribute attribute = tag % 7 == 3 ? TaskAttribute.ORDERED : TaskAttribute.SIMPLE;
        s.newTask(transport, tag, 0, read10(tag % 64, 1), attribute, DataDirection.READ, 512)
            .submit();
      }
      assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      stop.set(true);
      for (Thread t : completers) {
        t.join();
      }
    }
    assertThat(bad).isFalse();
    int[] position = new int[TASKS];
    for (int i = 0; i < TASKS; i++) {
      position[(int) (long) ended.get(i)] = i;
    }
    for (int tag = 3; tag < TASKS; tag += 7) {
      for (int other = 0; other < TASKS; other++) {
        if (other < tag) {
          assertThat(position[other]).as("%d is older than ORDERED %d", other, tag)
              .isLessThan(position[tag]);
        } else if (other > tag) {
          assertThat(position[other]).as("%d is younger than ORDERED %d", other, tag)
              .isGreaterThan(position[tag]);
        }
      }
    }
  }
}
