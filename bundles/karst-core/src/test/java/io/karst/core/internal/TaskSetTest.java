package io.karst.core.internal;

import static io.karst.core.internal.TestBed.cdb;
import static io.karst.core.internal.TestBed.read10;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.scsi.DataDirection;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.Status;
import io.karst.api.scsi.Task;
import io.karst.api.scsi.TaskAttribute;
import io.karst.api.scsi.TaskManagementFunction;
import io.karst.api.scsi.TaskManagementResponse;
import io.karst.api.scsi.TaskTransport;
import io.karst.api.target.Session;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Task attributes and the per-nexus limit, with reads parked at the backend. */
class TaskSetTest extends BedTest {

  private static final byte[] TUR = cdb(0, 0, 0, 0, 0, 0);

  /** The tags of the tasks in the order they were handed back. */
  private final List<Long> ended = new CopyOnWriteArrayList<>();
  private Session s;

  private final class Recorder {
    final CompletableFuture<Task> done = new CompletableFuture<>();
    final TaskTransport transport = Transports.ending(task -> {
      ended.add(task.tag());
      done.complete(task);
    });

    Status status() throws Exception {
      return done.get(5, TimeUnit.SECONDS).status();
    }
  }

  @Override
  String config() {
    return TestBed.CONFIG.replace("size 1M", "size 1M\n max_tgt_dev_commands 3")
        + "TARGET_DRIVER probe {\n enabled 1\n TARGET p {\n  enabled 1\n  LUN 0 disk0\n }\n}\n";
  }

  private Recorder submit(long tag, TaskAttribute attribute, byte[] cdb) throws Exception {
    if (s == null) {
      ProbeDriver probe = new ProbeDriver("probe");
      bed.engine.addDriver(probe);
      bed.engine.settle();
      s = probe.context.openSession("p", "iqn.test:probe", reason -> { });
    }
    Recorder r = new Recorder();
    s.newTask(r.transport, tag, 0, cdb, attribute,
        cdb[0] == 0x28 ? DataDirection.READ : DataDirection.NONE, 512).submit();
    return r;
  }

  private void releaseParked() {
    bed.handler.park = false;
    while (!bed.handler.parked.isEmpty()) {
      Runnable r = bed.handler.parked.remove(0);
      r.run();
    }
  }

  @Test
  void simpleTasksRunTogether() throws Exception {
    bed.handler.park = true;
    Recorder first = submit(1, TaskAttribute.SIMPLE, read10(0, 1));
    Recorder second = submit(2, TaskAttribute.SIMPLE, TUR);
    assertThat(second.status()).as("not held by the older read").isEqualTo(Status.GOOD);
    assertThat(first.done).isNotDone();
    releaseParked();
    assertThat(first.status()).isEqualTo(Status.GOOD);
  }

  @Test
  void orderedWaitsForEveryOlderTaskAndHoldsTheYoungerOnes() throws Exception {
    bed.handler.park = true;
    Recorder read = submit(1, TaskAttribute.SIMPLE, read10(0, 1));
    Recorder ordered = submit(2, TaskAttribute.ORDERED, TUR);
    Recorder younger = submit(3, TaskAttribute.SIMPLE, TUR);
    assertThat(ordered.done).isNotDone();
    assertThat(younger.done).isNotDone();
    releaseParked();
    assertThat(read.status()).isEqualTo(Status.GOOD);
    assertThat(ordered.status()).isEqualTo(Status.GOOD);
    assertThat(younger.status()).isEqualTo(Status.GOOD);
    assertThat(ended).containsExactly(1L, 2L, 3L);
  }

  @Test
  void headOfQueueOvertakesWaitingTasksAndHoldsYoungerSimpleOnes() throws Exception {
    bed.handler.park = true;
    submit(1, TaskAttribute.SIMPLE, read10(0, 1));
    Recorder ordered = submit(2, TaskAttribute.ORDERED, TUR);
    Recorder head = submit(3, TaskAttribute.HEAD_OF_QUEUE, TUR);
    assertThat(head.status()).isEqualTo(Status.GOOD);
    assertThat(ordered.done).isNotDone();
    releaseParked();
    assertThat(ordered.status()).isEqualTo(Status.GOOD);
    assertThat(ended).containsExactly(3L, 1L, 2L);

    bed.handler.park = true;
    Recorder headRead = submit(4, TaskAttribute.HEAD_OF_QUEUE, read10(0, 1));
    Recorder simple = submit(5, TaskAttribute.SIMPLE, TUR);
    assertThat(simple.done).as("younger than a HEAD OF QUEUE task").isNotDone();
    releaseParked();
    assertThat(headRead.status()).isEqualTo(Status.GOOD);
    assertThat(simple.status()).isEqualTo(Status.GOOD);
  }

  @Test
  void acaIsRefusedWithoutAnAcaCondition() throws Exception {
    Recorder aca = submit(1, TaskAttribute.ACA, TUR);
    assertThat(aca.status()).isEqualTo(Status.CHECK_CONDITION);
    Task t = aca.done.get();
    assertThat(t.sense().asc()).isEqualTo(Sense.INVALID_FIELD_IN_CDB.asc());
    assertThat(submit(2, TaskAttribute.SIMPLE, TUR).status()).isEqualTo(Status.GOOD);
  }

  @Test
  void aNexusBeyondItsDepthGetsTaskSetFullAndOthersDoNot() throws Exception {
    bed.handler.park = true;
    Recorder a = submit(1, TaskAttribute.SIMPLE, read10(0, 1));
    Recorder b = submit(2, TaskAttribute.SIMPLE, read10(1, 1));
    Recorder c = submit(3, TaskAttribute.SIMPLE, read10(2, 1));
    assertThat(submit(4, TaskAttribute.SIMPLE, TUR).status()).isEqualTo(Status.TASK_SET_FULL);
    assertThat(bed.send(0, TUR, null, 0).good()).as("another nexus has its own share").isTrue();
    releaseParked();
    for (Recorder r : List.of(a, b, c)) {
      assertThat(r.status()).isEqualTo(Status.GOOD);
    }
    assertThat(submit(5, TaskAttribute.SIMPLE, TUR).status()).isEqualTo(Status.GOOD);
  }

  @Test
  void anAbortedDormantTaskEndsAtOnceAndReleasesTheOnesBehindIt() throws Exception {
    bed.handler.park = true;
    Recorder read = submit(1, TaskAttribute.HEAD_OF_QUEUE, read10(0, 1));
    Recorder ordered = submit(2, TaskAttribute.ORDERED, TUR);
    Recorder simple = submit(3, TaskAttribute.SIMPLE, TUR);
    assertThat(s.manage(TaskManagementFunction.ABORT_TASK, 0, 2).toCompletableFuture()
        .get(5, TimeUnit.SECONDS)).isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
    assertThat(ordered.status()).isEqualTo(Status.TASK_ABORTED);
    assertThat(simple.done).as("still behind the HEAD OF QUEUE read").isNotDone();
    releaseParked();
    assertThat(read.status()).isEqualTo(Status.GOOD);
    assertThat(simple.status()).isEqualTo(Status.GOOD);
  }
}
