package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.scsi.DataDirection;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.Status;
import io.karst.api.scsi.TaskManagementResponse;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FullFeatureTest {

  private final FakeCore core = new FakeCore(FakeCore.settings());
  private final Initiator initiator = new Initiator(core);
  private int statSN;

  @BeforeEach
  void login() {
    Pdu r = initiator.loginNormal("iqn.2026-11.test:disk");
    assertThat(r.u16(36)).isZero();
    statSN = r.u32(24) + 1;
  }

  private List<Pdu> drain() {
    return initiator.drain();
  }

  @Test
  void readSendsDataInSequencesWithTheStatusInTheLastPdu() {
    initiator.command(7, 0xC0, 40, 40 * 512, new byte[0]);
    List<Pdu> pdus = drain();
    assertThat(pdus).hasSize(3).allSatisfy(p -> {
      assertThat(p.opcode()).isEqualTo(Opcode.DATA_IN);
      assertThat(p.itt()).isEqualTo(7);
      assertThat(p.u32(20)).isEqualTo(-1);
      assertThat(p.flags() & 0x40).as("A bit").isZero();
    });
    assertThat(pdus).extracting(p -> p.u32(36)).containsExactly(0, 1, 2);
    assertThat(pdus).extracting(p -> p.u32(40)).containsExactly(0, 8192, 16384);
    assertThat(pdus).extracting(Pdu::dataLength).containsExactly(8192, 8192, 4096);
    assertThat(pdus).extracting(Pdu::flags).as("F ends each 16 KiB sequence")
        .containsExactly(0x00, 0x80, 0x81);
    Pdu last = pdus.get(2);
    assertThat(last.u8(3)).isZero();
    assertThat(last.u32(24)).isEqualTo(statSN);
    assertThat(last.u32(28)).as("ExpCmdSN").isEqualTo(2);
    assertThat(last.u32(32)).as("MaxCmdSN").isEqualTo(17);
    assertThat(last.data.getByte(last.data.readerIndex() + 5)).isEqualTo(FakeCore.pattern(16389));
    assertThat(core.tasks.get(0).direction).isEqualTo(DataDirection.READ);
  }

  @Test
  void residualsAreReportedBothWays() {
    initiator.command(8, 0xC0, 2, 512, new byte[0]);
    Pdu over = drain().get(0);
    assertThat(over.dataLength()).isEqualTo(512);
    assertThat(over.flags()).isEqualTo(0x80 | 0x04 | 0x01);
    assertThat(over.u32(44)).isEqualTo(512);

    initiator.command(9, 0xC0, 1, 4096, new byte[0]);
    Pdu under = drain().get(0);
    assertThat(under.flags()).isEqualTo(0x80 | 0x02 | 0x01);
    assertThat(under.u32(44)).isEqualTo(3584);

    initiator.command(10, 0x80, 0, 100, new byte[0]);
    Pdu none = drain().get(0);
    assertThat(none.opcode()).isEqualTo(Opcode.SCSI_RESPONSE);
    assertThat(none.flags()).isEqualTo(0x80 | 0x02);
    assertThat(none.u32(44)).isEqualTo(100);
    assertThat(none.u32(36)).as("ExpDataSN").isZero();
  }

  @Test
  void checkConditionGoesInAScsiResponseWithSenseAfterTheData() {
    core.behaviour = t -> {
      t.buffer = t.transport.allocate(t, 1024);
      t.finish(Status.CHECK_CONDITION, Sense.LBA_OUT_OF_RANGE, t.buffer);
    };
    initiator.command(10, 0xC0, 2, 1024, new byte[0]);
    List<Pdu> pdus = drain();
    assertThat(pdus).extracting(Pdu::opcode).containsExactly(Opcode.DATA_IN,
        Opcode.SCSI_RESPONSE);
    assertThat(pdus.get(0).flags()).as("no S bit").isEqualTo(0x80);
    Pdu r = pdus.get(1);
    assertThat(r.u8(3)).isEqualTo(Status.CHECK_CONDITION.code());
    assertThat(r.u32(24)).isEqualTo(statSN);
    assertThat(r.u32(36)).as("ExpDataSN").isEqualTo(1);
    assertThat(r.data.getShort(r.data.readerIndex())).isEqualTo((short) 18);
    assertThat(r.data.getByte(r.data.readerIndex() + 2 + 12)).isEqualTo((byte) 0x21);
  }

  /** CONDITION MET (PRE-FETCH) is a status of its own, answered as it is, without sense. */
  @Test
  void conditionMetGoesInAScsiResponseAsItIs() {
    core.behaviour = t -> t.finish(Status.CONDITION_MET, null, null);
    initiator.command(16, 0x80, 1, 0, new byte[0]);
    List<Pdu> pdus = drain();
    assertThat(pdus).extracting(Pdu::opcode).containsExactly(Opcode.SCSI_RESPONSE);
    Pdu r = pdus.get(0);
    assertThat(r.u8(3)).isEqualTo(Status.CONDITION_MET.code());
    assertThat(r.u8(2)).as("command completed at target").isZero();
    assertThat(r.data.readableBytes()).as("no sense").isZero();
  }

  @Test
  void aTaskCompletedLaterIsAnsweredThen() {
    core.behaviour = t -> { };
    initiator.command(11, 0xC0, 1, 512, new byte[0]);
    assertThat(drain()).isEmpty();
    assertThat(core.tasks.get(0).transmitted).hasValue(0);
    core.tasks.get(0).answer();
    Pdu r = drain().get(0);
    assertThat(r.itt()).isEqualTo(11);
    assertThat(r.flags()).isEqualTo(0x81);
    assertThat(core.tasks.get(0).transmitted).as("core told once the answer is out").hasValue(1);
  }

  @Test
  void writeTakesImmediateUnsolicitedAndSolicitedData() {
    byte[] data = FakeCore.patterned(48 * 512);
    initiator.command(11, 0x20, 48, data.length, Arrays.copyOf(data, 1024));
    assertThat(drain()).as("no R2T while unsolicited data may come").isEmpty();
    initiator.dataOut(11, -1, 0, 1024, Arrays.copyOfRange(data, 1024, 4096), true);
    List<Pdu> r2ts = drain();
    assertThat(r2ts).hasSize(2).allSatisfy(p -> {
      assertThat(p.opcode()).isEqualTo(Opcode.R2T);
      assertThat(p.itt()).isEqualTo(11);
      assertThat(p.u32(24)).as("StatSN not taken").isEqualTo(statSN);
    });
    assertThat(r2ts).extracting(p -> p.u32(40)).containsExactly(4096, 4096 + 16384);
    assertThat(r2ts).extracting(p -> p.u32(44)).containsExactly(16384, 4096);
    assertThat(r2ts).extracting(p -> p.u32(36)).containsExactly(0, 1);
    assertThat(r2ts.get(0).u32(20)).isNotEqualTo(r2ts.get(1).u32(20));
    answer(11, data, r2ts);
    Pdu response = drain().get(0);
    assertThat(response.opcode()).isEqualTo(Opcode.SCSI_RESPONSE);
    assertThat(response.u8(3)).isZero();
    assertThat(response.flags()).isEqualTo(0x80);
    assertThat(response.u32(24)).isEqualTo(statSN);
    assertThat(core.written).singleElement().isEqualTo(data);
  }

  /** Sends the Data-Out each R2T asks for, in PDUs of 8 KiB. */
  private void answer(int itt, byte[] data, List<Pdu> r2ts) {
    for (Pdu r2t : r2ts) {
      int offset = r2t.u32(40);
      int length = r2t.u32(44);
      int sn = 0;
      for (int o = offset; o < offset + length; o += 8192) {
        int n = Math.min(8192, offset + length - o);
        initiator.dataOut(itt, r2t.u32(20), sn++, o, Arrays.copyOfRange(data, o, o + n),
            o + n == offset + length);
      }
    }
  }

  @Test
  void noMoreThanMaxOutstandingR2TAreOut() {
    byte[] data = FakeCore.patterned(100 * 512);
    initiator.command(12, 0xA0, 100, data.length, new byte[0]);
    List<Pdu> first = drain();
    assertThat(first).extracting(p -> p.u32(40)).containsExactly(0, 16384);
    answer(12, data, first.subList(0, 1));
    List<Pdu> second = drain();
    assertThat(second).extracting(p -> p.u32(40)).containsExactly(32768);
    assertThat(second.get(0).u32(36)).as("R2TSN").isEqualTo(2);
    answer(12, data, List.of(first.get(1), second.get(0)));
    List<Pdu> third = drain();
    assertThat(third).extracting(p -> p.u32(40)).containsExactly(49152);
    assertThat(third).extracting(p -> p.u32(44)).containsExactly(51200 - 49152);
    answer(12, data, third);
    assertThat(drain()).extracting(Pdu::opcode).containsExactly(Opcode.SCSI_RESPONSE);
    assertThat(core.written).singleElement().isEqualTo(data);
  }

  @Test
  void dataBeyondWhatTheCommandTransfersIsDroppedAndReportedAsUnderflow() {
    byte[] data = FakeCore.patterned(3000);
    initiator.command(13, 0xA0, 4, 3000, data);
    Pdu r = drain().get(0);
    assertThat(r.opcode()).isEqualTo(Opcode.SCSI_RESPONSE);
    assertThat(r.flags()).isEqualTo(0x80 | 0x02);
    assertThat(r.u32(44)).isEqualTo(3000 - 2048);
    assertThat(core.written).singleElement().isEqualTo(Arrays.copyOf(data, 2048));
  }

  @Test
  void dataOutOutOfSequenceFailsTheCommand() {
    initiator.command(12, 0x20, 4, 2048, new byte[0]);
    initiator.dataOut(12, -1, 1, 0, new byte[512], false);
    List<Pdu> pdus = drain();
    assertThat(pdus).extracting(Pdu::opcode).containsExactly(Opcode.REJECT,
        Opcode.SCSI_RESPONSE);
    assertThat(pdus.get(0).u8(2)).isEqualTo(Opcode.REJECT_INVALID_PDU_FIELD);
    assertThat(pdus.get(1).u8(3)).isEqualTo(Status.CHECK_CONDITION.code());
    assertThat(core.written).isEmpty();
    initiator.dataOut(12, -1, 2, 512, new byte[512], true);
    assertThat(drain()).as("Data-Out of a finished task is dropped").isEmpty();
  }

  @Test
  void tooMuchUnsolicitedDataFailsTheTaskWhenCoreAsks() {
    core.behaviour = t -> { };
    initiator.command(15, 0x20, 32, 16384, new byte[1024]);
    initiator.dataOut(15, -1, 0, 1024, new byte[3072], false);
    assertThat(drain()).isEmpty();
    initiator.dataOut(15, -1, 1, 4096, new byte[512], true);
    assertThat(drain()).extracting(Pdu::opcode).containsExactly(Opcode.REJECT);
    core.tasks.get(0).answer();
    Pdu r = drain().get(0);
    assertThat(r.opcode()).isEqualTo(Opcode.SCSI_RESPONSE);
    assertThat(r.u8(3)).isEqualTo(Status.CHECK_CONDITION.code());
  }

  @Test
  void anOversizedDataOutFailsItsTask() {
    initiator.command(14, 0x20, 32, 16384, new byte[0]);
    initiator.dataOut(14, -1, 0, 0, new byte[8196], true);
    List<Pdu> pdus = drain();
    assertThat(pdus).extracting(Pdu::opcode).containsExactly(Opcode.REJECT,
        Opcode.SCSI_RESPONSE);
    assertThat(pdus.get(1).u8(3)).isEqualTo(Status.CHECK_CONDITION.code());
  }

  @Test
  void commandsRunInCmdSnOrderAndOutsideTheWindowAreDropped() {
    initiator.cmdSN = 2;
    initiator.command(20, 0xC0, 1, 512, new byte[0]);
    assertThat(drain()).isEmpty();
    initiator.cmdSN = 1;
    initiator.command(21, 0xC0, 1, 512, new byte[0]);
    assertThat(drain()).extracting(Pdu::itt).containsExactly(21, 20);
    initiator.cmdSN = 100;
    initiator.command(22, 0xC0, 1, 512, new byte[0]);
    initiator.cmdSN = 1;
    initiator.command(23, 0xC0, 1, 512, new byte[0]);
    assertThat(drain()).isEmpty();
    assertThat(core.tasks).hasSize(2);
  }

  @Test
  void immediateCommandsBypassOrderingAndTheWindowShrinksWhileCoreWorks() {
    core.behaviour = t -> { };
    initiator.cmdSN = 5;
    initiator.command(30, 0xC0, 1, 512, new byte[0]);
    var b = Initiator.bhs(0x41, 0xC0, 31);
    b.setInt(20, 512);
    b.setInt(24, 1);
    b.setByte(32, 0x08);
    b.setByte(36, 1);
    initiator.send(b, new byte[0]);
    assertThat(core.tasks).hasSize(1);
    core.tasks.get(0).answer();
    Pdu r = drain().get(0);
    assertThat(r.itt()).isEqualTo(31);
    assertThat(r.u32(28)).as("ExpCmdSN unmoved").isEqualTo(1);
    initiator.cmdSN = 1;
    initiator.command(32, 0xC0, 1, 512, new byte[0]);
    assertThat(core.tasks).hasSize(2);
    var ping = Initiator.bhs(0x40, 0x80, 33);
    ping.setInt(20, -1);
    ping.setInt(24, 1);
    initiator.send(ping, new byte[0]);
    Pdu nop = drain().get(0);
    assertThat(nop.u32(28)).isEqualTo(2);
    assertThat(nop.u32(32)).as("one command in core: 2 + 16 - 1 - 1").isEqualTo(16);
  }

  @Test
  void maxCmdSnShrinksByTheCommandsInCore() {
    core.behaviour = t -> { };
    for (int i = 0; i < 3; i++) {
      initiator.command(40 + i, 0xC0, 1, 512, new byte[0]);
    }
    var ping = Initiator.bhs(0x40, 0x80, 50);
    ping.setInt(20, -1);
    ping.setInt(24, initiator.cmdSN);
    ping.setByte(0, 0x40);
    initiator.send(ping, new byte[0]);
    Pdu nop = drain().get(0);
    assertThat(nop.u32(28)).isEqualTo(4);
    assertThat(nop.u32(32)).as("16 after login: never lowered").isEqualTo(16);
    core.tasks.forEach(FakeCore.FakeTask::answer);
    Pdu last = drain().get(2);
    assertThat(last.u32(32)).isEqualTo(4 + 16 - 1);
  }

  @Test
  void nopOutIsEchoedAndItsStatSnTaken() {
    var b = Initiator.bhs(0x40, 0x80, 30);
    b.setInt(20, -1);
    b.setLong(8, 0x0001_0000_0000_0000L);
    b.setInt(24, initiator.cmdSN);
    initiator.send(b, new byte[] {1, 2, 3});
    Pdu r = drain().get(0);
    assertThat(r.opcode()).isEqualTo(Opcode.NOP_IN);
    assertThat(r.itt()).isEqualTo(30);
    assertThat(r.u32(20)).isEqualTo(-1);
    assertThat(r.u64(8)).isEqualTo(0x0001_0000_0000_0000L);
    assertThat(r.dataLength()).isEqualTo(3);
    assertThat(r.u32(24)).isEqualTo(statSN);
    assertThat(r.u32(28)).as("an immediate NOP-Out moves no CmdSN").isEqualTo(1);
  }

  @Test
  void anUnansweredKeepalivePingClosesTheConnection() {
    initiator.channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
    Pdu ping = drain().get(0);
    assertThat(ping.opcode()).isEqualTo(Opcode.NOP_IN);
    assertThat(ping.itt()).isEqualTo(-1);
    assertThat(ping.u32(20)).isNotEqualTo(-1);
    assertThat(ping.u32(24)).isEqualTo(statSN);
    var pong = Initiator.bhs(0x40 | 0x40, 0x80, -1);
    pong.setInt(20, ping.u32(20));
    initiator.send(pong, new byte[0]);
    initiator.channel.advanceTimeBy(6, TimeUnit.SECONDS);
    initiator.channel.runScheduledPendingTasks();
    assertThat(initiator.channel.isOpen()).as("answered").isTrue();

    initiator.channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
    assertThat(drain()).hasSize(1);
    initiator.channel.advanceTimeBy(6, TimeUnit.SECONDS);
    initiator.channel.runScheduledPendingTasks();
    assertThat(initiator.channel.isOpen()).isFalse();
    assertThat(core.closed).isTrue();
  }

  @Test
  void unknownOpcodesSnackAndOversizedPdusAreRejectedAndTheConnectionGoesOn() {
    initiator.send(Initiator.bhs(0x1C, 0x80, 40), new byte[0]);
    Pdu reject = drain().get(0);
    assertThat(reject.opcode()).isEqualTo(Opcode.REJECT);
    assertThat(reject.u8(2)).isEqualTo(Opcode.REJECT_COMMAND_NOT_SUPPORTED);
    assertThat(reject.itt()).isEqualTo(-1);
    assertThat(reject.u32(24)).isEqualTo(statSN);
    assertThat(reject.dataLength()).isEqualTo(48);
    assertThat(reject.data.getInt(reject.data.readerIndex() + 16)).isEqualTo(40);

    initiator.send(Initiator.bhs(0x10, 0x80, 41), new byte[0]);
    assertThat(drain().get(0).u8(2)).isEqualTo(Opcode.REJECT_PROTOCOL_ERROR);

    var big = Initiator.bhs(0x40, 0x80, 42);
    big.setInt(20, -1);
    big.setInt(24, initiator.cmdSN);
    initiator.send(big, new byte[8193]);
    assertThat(drain().get(0).u8(2)).isEqualTo(Opcode.REJECT_PROTOCOL_ERROR);

    initiator.command(43, 0xC0, 1, 512, new byte[0]);
    assertThat(drain().get(0).itt()).isEqualTo(43);
  }

  @Test
  void taskManagementGoesToCoreAndIsAnsweredOnceTheTasksAreGone() {
    core.behaviour = t -> { };
    initiator.command(60, 0xC0, 1, 512, new byte[0]);
    core.tmf = new CompletableFuture<>();
    var reset = Initiator.bhs(0x42, 0x80 | 5, 61);
    reset.setInt(24, initiator.cmdSN);
    reset.setLong(8, 0x0002_0000_0000_0000L);
    initiator.send(reset, new byte[0]);
    assertThat(drain()).isEmpty();
    assertThat(core.managed).containsExactly("LOGICAL_UNIT_RESET:2:0");
    core.tasks.get(0).finish(Status.TASK_ABORTED, null, null);
    assertThat(drain()).as("an aborted task gets no response").isEmpty();
    core.tmf.complete(TaskManagementResponse.FUNCTION_COMPLETE);
    Pdu response = drain().get(0);
    assertThat(response.opcode()).isEqualTo(Opcode.TASK_MANAGEMENT_RESPONSE);
    assertThat(response.itt()).isEqualTo(61);
    assertThat(response.u8(2)).isEqualTo(TaskManagementHandler.FUNCTION_COMPLETE);
    assertThat(response.u32(24)).isEqualTo(statSN);
  }

  @Test
  void aTaskAnotherNexusAbortedWithTasIsAnsweredTaskAborted() {
    core.behaviour = t -> { };
    initiator.command(62, 0xC0, 1, 512, new byte[0]);
    FakeCore.FakeTask task = core.tasks.get(0);
    task.abortReported = true;
    task.finish(Status.TASK_ABORTED, null, null);
    Pdu response = drain().get(0);
    assertThat(response.opcode()).isEqualTo(Opcode.SCSI_RESPONSE);
    assertThat(response.itt()).isEqualTo(62);
    assertThat(response.u8(3)).isEqualTo(Status.TASK_ABORTED.code());
  }

  @Test
  void unsupportedFunctionsAndAbortsOfUnknownTasks() {
    var clearAca = Initiator.bhs(0x42, 0x80 | 3, 41);
    clearAca.setInt(24, initiator.cmdSN);
    initiator.send(clearAca, new byte[0]);
    assertThat(drain().get(0).u8(2)).isEqualTo(TaskManagementHandler.NOT_SUPPORTED);

    var reassign = Initiator.bhs(0x42, 0x80 | 8, 42);
    reassign.setInt(24, initiator.cmdSN);
    initiator.send(reassign, new byte[0]);
    assertThat(drain().get(0).u8(2))
        .isEqualTo(TaskManagementHandler.REASSIGNMENT_NOT_SUPPORTED);

    var gone = Initiator.bhs(0x42, 0x80 | 1, 43);
    gone.setInt(20, 999);
    gone.setInt(24, initiator.cmdSN);
    gone.setInt(32, initiator.cmdSN - 1);
    initiator.send(gone, new byte[0]);
    assertThat(drain().get(0).u8(2)).isEqualTo(TaskManagementHandler.TASK_DOES_NOT_EXIST);
    assertThat(core.managed).isEmpty();
  }

  @Test
  void textInFullFeatureListsTheSessionsTarget() {
    var b = Initiator.bhs(0x44, 0x80, 70);
    b.setInt(20, -1);
    b.setInt(24, initiator.cmdSN++);
    initiator.send(b, Initiator.text("SendTargets=", "Foo=1"));
    Pdu r = drain().get(0);
    assertThat(r.opcode()).isEqualTo(Opcode.TEXT_RESPONSE);
    assertThat(r.data.toString(java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("TargetName=iqn.2026-11.test:disk\0Foo=NotUnderstood\0");
  }

  @Test
  void logoutClosesTheSession() {
    var b = Initiator.bhs(0x46, 0x80, 50);
    b.setInt(24, initiator.cmdSN);
    initiator.send(b, new byte[0]);
    Pdu r = drain().get(0);
    assertThat(r.opcode()).isEqualTo(Opcode.LOGOUT_RESPONSE);
    assertThat(r.u8(2)).isZero();
    assertThat(r.itt()).isEqualTo(50);
    assertThat(r.u32(24)).isEqualTo(statSN);
    initiator.channel.runPendingTasks();
    assertThat(initiator.channel.isOpen()).isFalse();
    assertThat(core.closed).isTrue();
  }

  @Test
  void logoutForRecoveryIsNotSupported() {
    var b = Initiator.bhs(0x46, 0x80 | 2, 51);
    b.setInt(24, initiator.cmdSN);
    initiator.send(b, new byte[0]);
    assertThat(drain().get(0).u8(2)).isEqualTo(LogoutHandler.RECOVERY_NOT_SUPPORTED);
    assertThat(initiator.channel.isOpen()).isTrue();
  }

  @Test
  void coreAskingForTheEndSendsALogoutRequestThenCloses() {
    core.events.closeRequested("target disabled");
    Pdu async = drain().get(0);
    assertThat(async.opcode()).isEqualTo(Opcode.ASYNC_MESSAGE);
    assertThat(async.u8(36)).isEqualTo(AsyncMessage.LOGOUT_REQUEST);
    assertThat(async.u16(42)).isEqualTo(LogoutHandler.LOGOUT_GRACE_SECONDS);
    assertThat(async.itt()).isEqualTo(-1);
    assertThat(async.u32(24)).isEqualTo(statSN);
    initiator.channel.advanceTimeBy(LogoutHandler.LOGOUT_GRACE_SECONDS + 2, TimeUnit.SECONDS);
    initiator.channel.runScheduledPendingTasks();
    assertThat(initiator.channel.isOpen()).isFalse();
    assertThat(core.closed).isTrue();
  }

  @Test
  void answersAfterTheConnectionClosedAreDropped() {
    core.behaviour = t -> { };
    initiator.command(80, 0xC0, 1, 512, new byte[0]);
    initiator.command(81, 0x20, 1, 512, new byte[0]);
    FakeCore.FakeTask write = core.tasks.get(1);
    write.buffer = write.transport.allocate(write, 512);
    write.transport.receiveDataOut(write, write.buffer);
    initiator.channel.close();
    assertThat(write.status).as("Data-Out failed with the connection")
        .isEqualTo(Status.CHECK_CONDITION);
    core.tasks.get(0).answer();
    assertThat(drain()).isEmpty();
    assertThat(core.closed).isTrue();
  }

  @Test
  void lunFieldDecoding() {
    assertThat(ScsiCommandHandler.lun(0x0003_0000_0000_0000L)).isEqualTo(3);
    assertThat(ScsiCommandHandler.lun(0x4103_0000_0000_0000L)).isEqualTo(0x103);
    assertThat(ScsiCommandHandler.lun(0x0103_0000_0000_0000L)).isEqualTo(-1);
    assertThat(ScsiCommandHandler.lun(0x8003_0000_0000_0000L)).isEqualTo(-1);
    assertThat(ScsiCommandHandler.lun(0x0003_0000_0000_0001L)).isEqualTo(-1);
  }
}
