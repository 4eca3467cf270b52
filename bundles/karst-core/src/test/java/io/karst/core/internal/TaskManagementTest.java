package io.karst.core.internal;

import static io.karst.core.internal.TestBed.cdb;
import static io.karst.core.internal.TestBed.read10;
import static io.karst.core.internal.TestBed.write10;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.scsi.DataDirection;
import io.karst.api.scsi.Status;
import io.karst.api.scsi.TaskAttribute;
import io.karst.api.scsi.TaskManagementFunction;
import io.karst.api.scsi.TaskManagementResponse;
import io.karst.api.scsi.TaskTransport;
import io.karst.api.target.Session;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TaskManagementTest extends BedTest {

  /** How a task ended, through a transport that never sends Data-Out. */
  private static final class Recorder {
    final CompletableFuture<Status> status = new CompletableFuture<>();
    /** Whether the transport is to tell the initiator its status. */
    final CompletableFuture<Boolean> reported = new CompletableFuture<>();
    final TaskTransport transport = Transports.ending(task -> {
      reported.complete(task.reported());
      status.complete(task.status());
    });
  }

  @Override
  String config() {
    // disk1 has resets raise their unit attention; disk0 keeps the default.
    return TestBed.CONFIG.replace("t10_prod_id second", "t10_prod_id second\n reset_ua 1")
        + "TARGET_DRIVER probe {\n enabled 1\n TARGET p {\n  enabled 1\n  LUN 0 disk0\n"
        + "  LUN 1 disk1\n }\n}\n";
  }

  private Session open() throws Exception {
    ProbeDriver probe = new ProbeDriver("probe");
    bed.engine.addDriver(probe);
    bed.engine.settle();
    return probe.context.openSession("p", "iqn.test:probe", reason -> { });
  }

  private static Recorder submit(Session s, long tag, byte[] cdb, DataDirection d) {
    return submit(s, 0, tag, cdb, d);
  }

  private static Recorder submit(Session s, long lun, long tag, byte[] cdb, DataDirection d) {
    Recorder r = new Recorder();
    s.newTask(r.transport, tag, lun, cdb, TaskAttribute.SIMPLE, d, 512).submit();
    return r;
  }

  private static final byte[] TUR = cdb(0, 0, 0, 0, 0, 0);

  private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void abortsEndWaitingTasksAtOnceAndTasksAtTheBackendWhenTheirIoEnds() throws Exception {
    Session s = open();
    bed.handler.park = true;
    Recorder reading = submit(s, 1, read10(0, 1), DataDirection.READ);
    Recorder writing = submit(s, 2, write10(0, 1), DataDirection.WRITE);
    assertThat(get(s.manage(TaskManagementFunction.ABORT_TASK, 0, 2)))
        .isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
    assertThat(writing.status).isCompletedWithValue(Status.TASK_ABORTED);

    var reset = s.manage(TaskManagementFunction.LOGICAL_UNIT_RESET, 0, 0).toCompletableFuture();
    assertThat(reset).as("the read is still at the backend").isNotDone();
    assertThat(reading.status).isNotDone();
    bed.handler.parked.forEach(Runnable::run);
    assertThat(get(reset)).isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
    assertThat(reading.status).isCompletedWithValue(Status.TASK_ABORTED);
  }

  @Test
  void unknownTasksAndLunsAreSaidSo() throws Exception {
    Session s = open();
    assertThat(get(s.manage(TaskManagementFunction.ABORT_TASK, 0, 99)))
        .isEqualTo(TaskManagementResponse.TASK_DOES_NOT_EXIST);
    assertThat(get(s.manage(TaskManagementFunction.ABORT_TASK_SET, 7, 0)))
        .isEqualTo(TaskManagementResponse.LOGICAL_UNIT_DOES_NOT_EXIST);
    assertThat(get(s.manage(TaskManagementFunction.TARGET_RESET, 0, 0)))
        .isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
  }

  @Test
  void aLogicalUnitResetDropsTheReservation() throws Exception {
    Session s = open();
    assertThat(bed.send(0, cdb(0x16, 0, 0, 0, 0, 0), null, 0).good()).isTrue();
    assertThat(get(submit(s, 5, cdb(0, 0, 0, 0, 0, 0), DataDirection.NONE).status))
        .isEqualTo(Status.RESERVATION_CONFLICT);
    get(s.manage(TaskManagementFunction.LOGICAL_UNIT_RESET, 0, 0));
    assertThat(get(submit(s, 6, cdb(0, 0, 0, 0, 0, 0), DataDirection.NONE).status))
        .isEqualTo(Status.GOOD);
  }

  @Test
  void preemptAndAbortEndsTheTasksOfThePreemptedNexus() throws Exception {
    Session s = open();
    // The local nexus registers the probe's port too (SPEC_I_PT, ALL_TG_PT), with its key.
    byte[] id = TransportId.of("iqn.test:probe").encode();
    byte[] params = ByteBuffer.allocate(28 + id.length).put(
        PersistentReservationsTest.basic(0, 0x5, 0x0C)).putInt(id.length).put(id).array();
    assertThat(PersistentReservationsTest.prout(bed.session, 0, 0, params).good()).isTrue();
    Recorder waiting = submit(s, 7, write10(0, 1), DataDirection.WRITE);
    assertThat(waiting.status).isNotDone();
    assertThat(PersistentReservationsTest.prout(bed.session,
        PersistentReservationsTest.PREEMPT_AND_ABORT, PersistentReservationsTest.WE, 0x5, 0x5)
        .good()).isTrue();
    assertThat(waiting.status).isCompletedWithValue(Status.TASK_ABORTED);
    assertThat(PersistentReservationsTest.keys(bed.session)).containsExactly(0x5L);
    assertThat(get(submit(s, 8, TUR, DataDirection.NONE).status))
        .as("REGISTRATIONS PREEMPTED").isEqualTo(Status.CHECK_CONDITION);
    assertThat(get(submit(s, 9, TUR, DataDirection.NONE).status))
        .as("COMMANDS CLEARED BY ANOTHER INITIATOR").isEqualTo(Status.CHECK_CONDITION);
    assertThat(get(submit(s, 10, TUR, DataDirection.NONE).status)).isEqualTo(Status.GOOD);
    assertThat(bed.send(0, TUR, null, 0).good()).as("the preempting nexus is not told")
        .isTrue();
  }

  @Test
  void clearTaskSetTellsTheNexusesWhoseTasksItAborted() throws Exception {
    Session s = open();
    bed.handler.park = true;
    var reading = bed.session.execute(0, read10(0, 1), null, 512).toCompletableFuture();
    var clear = s.manage(TaskManagementFunction.CLEAR_TASK_SET, 0, 0).toCompletableFuture();
    bed.handler.parked.forEach(Runnable::run);
    bed.handler.park = false;
    assertThat(get(clear)).isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
    assertThat(reading.get(5, TimeUnit.SECONDS).status()).isEqualTo(Status.TASK_ABORTED);
    TestBed.assertSense(bed.send(0, TUR, null, 0),
        io.karst.api.scsi.Sense.COMMANDS_CLEARED_BY_ANOTHER_INITIATOR);
    assertThat(bed.send(0, TUR, null, 0).good()).isTrue();
    assertThat(get(submit(s, 1, TUR, DataDirection.NONE).status)).as("not the one that cleared")
        .isEqualTo(Status.GOOD);
  }

  @Test
  void resetsRaiseTheirUnitAttentionOnlyWhereResetUaIsSet() throws Exception {
    Session s = open();
    get(s.manage(TaskManagementFunction.LOGICAL_UNIT_RESET, 0, 0));
    assertThat(bed.send(0, TUR, null, 0).good()).as("disk0 keeps the default").isTrue();
    assertThat(get(submit(s, 1, TUR, DataDirection.NONE).status)).isEqualTo(Status.GOOD);
    get(s.manage(TaskManagementFunction.LOGICAL_UNIT_RESET, 1, 0));
    TestBed.assertSense(bed.send(3, TUR, null, 0),
        UnitAttention.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
    assertThat(get(submit(s, 1, 2, TUR, DataDirection.NONE).status))
        .as("the nexus that reset it too").isEqualTo(Status.CHECK_CONDITION);
    assertThat(get(submit(s, 1, 3, TUR, DataDirection.NONE).status)).isEqualTo(Status.GOOD);
    assertThat(bed.send(0, TUR, null, 0).good()).isTrue();
  }

  @Test
  void reportSupportedTaskManagementFunctionsNamesWhatManageDoes() throws Exception {
    byte[] basic = bed.send(0, cdb(0xA3, 0x0D, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0), null, 64)
        .dataIn();
    // ATS, ATSS, CTSS, LURS, TRS; no CLEAR ACA, QUERY TASK or I_T NEXUS RESET.
    assertThat(basic).containsExactly(0xDA, 0, 0, 0);
    byte[] extended = bed.send(0, cdb(0xA3, 0x0D, 0x80, 0, 0, 0, 0, 0, 0, 64, 0, 0), null, 64)
        .dataIn();
    assertThat(extended).hasSize(16);
    assertThat(extended[0] & 0xFF).isEqualTo(0xDA);
    assertThat(extended[3]).as("additional data length").isEqualTo((byte) 0x0C);
    assertThat(java.util.Arrays.copyOfRange(extended, 4, 16)).as("no timeouts given")
        .containsOnly(0);
    TestBed.assertSense(bed.send(0, cdb(0xA3, 0x0D, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0), null, 3),
        io.karst.api.scsi.Sense.INVALID_FIELD_IN_CDB);
    TestBed.assertSense(bed.send(0, cdb(0xA3, 0x0D, 0x01, 0, 0, 0, 0, 0, 0, 64, 0, 0), null,
        64), io.karst.api.scsi.Sense.INVALID_FIELD_IN_CDB);
    byte[] listed = bed.send(0, cdb(0xA3, 0x0C, 2, 0xA3, 0, 0x0D, 0, 0, 2, 0, 0, 0), null, 512)
        .dataIn();
    assertThat(listed[1] & 0x07).as("in REPORT SUPPORTED OPERATION CODES").isEqualTo(3);
  }

  /**
   * Selects QERR and TAS from the local nexus, parks a read of the probe and one of its own
   * at the backend, then makes a command of its own end with CHECK CONDITION; returns the
   * probe's read.
   */
  private Recorder failWithQueueErrorManagement(Session s, int qerr, boolean tas)
      throws Exception {
    assertThat(ModePagesTest.selectControl(bed.session, false, qerr, tas, false).good())
        .isTrue();
    assertThat(get(submit(s, 1, TUR, DataDirection.NONE).status))
        .as("MODE PARAMETERS CHANGED, unless nothing changed")
        .isEqualTo(qerr != 0 || tas ? Status.CHECK_CONDITION : Status.GOOD);
    bed.handler.park = true;
    Recorder reading = submit(s, 2, read10(0, 1), DataDirection.READ);
    var own = bed.session.execute(0, read10(0, 1), null, 512).toCompletableFuture();
    TestBed.assertSense(bed.send(0, read10(4000, 1), null, 512),
        io.karst.api.scsi.Sense.LBA_OUT_OF_RANGE);
    bed.handler.park = false;
    bed.handler.parked.forEach(Runnable::run);
    assertThat(own.get(5, TimeUnit.SECONDS).status()).as("the failing nexus's own task")
        .isEqualTo(qerr == 0 ? Status.GOOD : Status.TASK_ABORTED);
    return reading;
  }

  @Test
  void qerrZeroAbortsNothing() throws Exception {
    Session s = open();
    Recorder reading = failWithQueueErrorManagement(s, 0, false);
    assertThat(get(reading.status)).isEqualTo(Status.GOOD);
  }

  @Test
  void qerrOneAbortsTheWholeTaskSetAndTasZeroTellsOtherNexusesByUnitAttention()
      throws Exception {
    Session s = open();
    Recorder reading = failWithQueueErrorManagement(s, 1, false);
    assertThat(get(reading.status)).isEqualTo(Status.TASK_ABORTED);
    assertThat(get(reading.reported)).as("no status for the initiator").isFalse();
    assertThat(get(submit(s, 3, TUR, DataDirection.NONE).status))
        .as("COMMANDS CLEARED BY ANOTHER INITIATOR").isEqualTo(Status.CHECK_CONDITION);
    assertThat(get(submit(s, 4, TUR, DataDirection.NONE).status)).isEqualTo(Status.GOOD);
  }

  @Test
  void qerrOneWithTasOneEndsOtherNexusesTasksWithTaskAbortedStatus() throws Exception {
    Session s = open();
    Recorder reading = failWithQueueErrorManagement(s, 1, true);
    assertThat(get(reading.status)).isEqualTo(Status.TASK_ABORTED);
    assertThat(get(reading.reported)).as("TASK ABORTED is reported").isTrue();
    assertThat(get(submit(s, 3, TUR, DataDirection.NONE).status)).as("no unit attention")
        .isEqualTo(Status.GOOD);
  }

  @Test
  void qerrThreeAbortsOnlyTheTasksOfTheFailingNexus() throws Exception {
    Session s = open();
    Recorder reading = failWithQueueErrorManagement(s, 3, false);
    assertThat(get(reading.status)).isEqualTo(Status.GOOD);
    assertThat(get(submit(s, 3, TUR, DataDirection.NONE).status)).isEqualTo(Status.GOOD);
  }

  @Test
  void tasOneReportsTasksAbortedByClearTaskSetOfAnotherNexusButNotTheIssuers()
      throws Exception {
    Session s = open();
    assertThat(ModePagesTest.selectControl(bed.session, false, 0, true, false).good()).isTrue();
    assertThat(get(submit(s, 1, TUR, DataDirection.NONE).status)).as("MODE PARAMETERS CHANGED")
        .isEqualTo(Status.CHECK_CONDITION);
    bed.handler.park = true;
    Recorder mine = submit(s, 2, read10(0, 1), DataDirection.READ);
    var others = bed.session.execute(0, read10(0, 1), null, 512).toCompletableFuture();
    var clear = s.manage(TaskManagementFunction.CLEAR_TASK_SET, 0, 0).toCompletableFuture();
    bed.handler.park = false;
    bed.handler.parked.forEach(Runnable::run);
    assertThat(get(clear)).isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
    assertThat(get(mine.status)).isEqualTo(Status.TASK_ABORTED);
    assertThat(get(mine.reported)).as("the issuer's own task").isFalse();
    assertThat(others.get(5, TimeUnit.SECONDS).status()).isEqualTo(Status.TASK_ABORTED);
    assertThat(bed.send(0, TUR, null, 0).good()).as("no unit attention with TAS 1").isTrue();
  }

  @Test
  void aLogicalUnitResetRestoresTheSavedModeParameters() throws Exception {
    Session s = open();
    assertThat(ModePagesTest.selectControl(bed.session, false, 3, false, true).good()).isTrue();
    assertThat(ModePagesTest.selectControl(bed.session, true, 1, true, false).good()).isTrue();
    get(s.manage(TaskManagementFunction.LOGICAL_UNIT_RESET, 0, 0));
    byte[] control = ModePagesTest.modeSense(bed.session, 0, 0, 0x0A);
    assertThat(java.util.Arrays.copyOfRange(control, 4 + 2, 4 + 6))
        .as("D_SENSE 0, QERR 11b, TAS 0 as saved").containsExactly(0, 0x16, 0, 0);
  }
}
