package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.scsi.Sense;
import io.karst.api.scsi.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FullFeatureTest {

  private final FakeCore core = new FakeCore(FakeCore.settings());
  private final Initiator initiator = new Initiator(core);
  private int statSN;

  @BeforeEach
  void login() {
    Pdu r = initiator.loginNormal("iqn.test:disk");
    assertThat(r.u16(36)).isZero();
    statSN = r.u32(24) + 1;
  }

  private List<Pdu> drain() {
    List<Pdu> out = new ArrayList<>();
    Pdu p;
    while ((p = initiator.read()) != null) {
      out.add(p);
    }
    return out;
  }

  @Test
  void readSendsDataInWithStatusInTheLastPdu() {
    initiator.command(7, 0xC0, 40, 40 * 512, new byte[0]);
    List<Pdu> pdus = drain();
    assertThat(pdus).hasSize(3).allSatisfy(p -> {
      assertThat(p.opcode()).isEqualTo(Opcode.DATA_IN);
      assertThat(p.itt()).isEqualTo(7);
    });
    assertThat(pdus).extracting(p -> p.u32(36)).containsExactly(0, 1, 2);
    assertThat(pdus).extracting(p -> p.u32(40)).containsExactly(0, 8192, 16384);
    assertThat(pdus).extracting(Pdu::dataLength).containsExactly(8192, 8192, 4096);
    assertThat(pdus.get(1).flags() & 0x80).as("F ends the 16 KiB burst").isEqualTo(0x80);
    Pdu last = pdus.get(2);
    assertThat(last.flags()).isEqualTo(0x81);
    assertThat(last.u8(3)).isZero();
    assertThat(last.u32(24)).isEqualTo(statSN);
    assertThat(last.u32(28)).isEqualTo(2);
    assertThat(last.data.getByte(last.data.readerIndex() + 5)).isEqualTo(FakeCore.pattern(16389));
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
  }

  @Test
  void checkConditionGoesInAScsiResponseWithSense() {
    core.behaviour = t -> t.finish(Status.CHECK_CONDITION, Sense.LBA_OUT_OF_RANGE, null);
    initiator.command(10, 0xC0, 1, 512, new byte[0]);
    Pdu r = drain().get(0);
    assertThat(r.opcode()).isEqualTo(Opcode.SCSI_RESPONSE);
    assertThat(r.u8(3)).isEqualTo(Status.CHECK_CONDITION.code());
    assertThat(r.data.getShort(r.data.readerIndex())).isEqualTo((short) 18);
    assertThat(r.data.getByte(r.data.readerIndex() + 2 + 12)).isEqualTo((byte) 0x21);
  }

  @Test
  void writeTakesImmediateUnsolicitedAndSolicitedData() {
    byte[] data = new byte[48 * 512];
    for (int i = 0; i < data.length; i++) {
      data[i] = FakeCore.pattern(i);
    }
    initiator.command(11, 0x20, 48, data.length, Arrays.copyOf(data, 1024));
    initiator.dataOut(11, -1, 0, 1024, Arrays.copyOfRange(data, 1024, 4096), true);
    List<Pdu> r2ts = drain();
    assertThat(r2ts).hasSize(2).allSatisfy(p -> assertThat(p.opcode()).isEqualTo(Opcode.R2T));
    assertThat(r2ts).extracting(p -> p.u32(40)).containsExactly(4096, 4096 + 16384);
    assertThat(r2ts).extracting(p -> p.u32(44)).containsExactly(16384, 4096);
    assertThat(r2ts).extracting(p -> p.u32(36)).containsExactly(0, 1);
    for (Pdu r2t : r2ts) {
      int offset = r2t.u32(40);
      int length = r2t.u32(44);
      int sn = 0;
      for (int o = offset; o < offset + length; o += 8192) {
        int n = Math.min(8192, offset + length - o);
        initiator.dataOut(11, r2t.u32(20), sn++, o, Arrays.copyOfRange(data, o, o + n),
            o + n == offset + length);
      }
    }
    Pdu response = drain().get(0);
    assertThat(response.opcode()).isEqualTo(Opcode.SCSI_RESPONSE);
    assertThat(response.u8(3)).isZero();
    assertThat(response.flags()).isEqualTo(0x80);
    assertThat(core.written).singleElement().isEqualTo(data);
  }

  @Test
  void dataOutOutOfSequenceFailsTheCommand() {
    initiator.command(12, 0x20, 4, 2048, new byte[0]);
    initiator.dataOut(12, -1, 1, 0, new byte[512], false);
    List<Pdu> pdus = drain();
    assertThat(pdus).extracting(Pdu::opcode).containsExactly(Opcode.REJECT,
        Opcode.SCSI_RESPONSE);
    assertThat(pdus.get(1).u8(3)).isEqualTo(Status.CHECK_CONDITION.code());
    assertThat(core.written).isEmpty();
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
  void nopOutIsEchoed() {
    var b = Initiator.bhs(0x40, 0x80, 30);
    b.setInt(20, -1);
    b.setInt(24, initiator.cmdSN);
    initiator.send(b, new byte[] {1, 2, 3});
    Pdu r = drain().get(0);
    assertThat(r.opcode()).isEqualTo(Opcode.NOP_IN);
    assertThat(r.itt()).isEqualTo(30);
    assertThat(r.dataLength()).isEqualTo(3);
    assertThat(r.u32(24)).isEqualTo(statSN);
  }

  @Test
  void unknownOpcodesAreRejectedAndTmfIsAnswered() {
    initiator.send(Initiator.bhs(0x1C, 0x80, 40), new byte[0]);
    Pdu reject = drain().get(0);
    assertThat(reject.opcode()).isEqualTo(Opcode.REJECT);
    assertThat(reject.u8(2)).isEqualTo(Opcode.REJECT_COMMAND_NOT_SUPPORTED);
    assertThat(reject.dataLength()).isEqualTo(48);

    var clearAca = Initiator.bhs(0x42, 0x80 | 3, 41);
    clearAca.setInt(24, initiator.cmdSN);
    initiator.send(clearAca, new byte[0]);
    Pdu response = drain().get(0);
    assertThat(response.opcode()).isEqualTo(Opcode.TASK_MANAGEMENT_RESPONSE);
    assertThat(response.u8(2)).isEqualTo(TaskManagement.NOT_SUPPORTED);
  }

  @Test
  void aLunResetIsAnsweredOnlyOnceCoreHasEndedTheTasks() {
    core.behaviour = t -> { };
    initiator.command(60, 0xC0, 1, 512, new byte[0]);
    core.tmf = new java.util.concurrent.CompletableFuture<>();
    var reset = Initiator.bhs(0x42, 0x80 | 5, 61);
    reset.setInt(24, initiator.cmdSN);
    reset.setByte(9, 0);
    initiator.send(reset, new byte[0]);
    assertThat(drain()).isEmpty();
    assertThat(core.managed).containsExactly("LOGICAL_UNIT_RESET:0:0");
    core.tasks.get(0).finish(Status.TASK_ABORTED, null, null);
    assertThat(drain()).as("an aborted task gets no response").isEmpty();
    core.tmf.complete(io.karst.api.scsi.TaskManagementResponse.FUNCTION_COMPLETE);
    Pdu response = drain().get(0);
    assertThat(response.itt()).isEqualTo(61);
    assertThat(response.u8(2)).isEqualTo(TaskManagement.FUNCTION_COMPLETE);
  }

  @Test
  void logoutClosesTheSession() {
    var b = Initiator.bhs(0x46, 0x80, 50);
    b.setInt(24, initiator.cmdSN);
    initiator.send(b, new byte[0]);
    Pdu r = drain().get(0);
    assertThat(r.opcode()).isEqualTo(Opcode.LOGOUT_RESPONSE);
    assertThat(r.u8(2)).isZero();
    initiator.channel.runPendingTasks();
    assertThat(initiator.channel.isOpen()).isFalse();
    assertThat(core.closed).isTrue();
  }

  @Test
  void lunFieldDecoding() {
    assertThat(FullFeatureHandler.lun(0x0003_0000_0000_0000L)).isEqualTo(3);
    assertThat(FullFeatureHandler.lun(0x4123_0000_0000_0000L)).isEqualTo(0x123);
    assertThat(FullFeatureHandler.lun(0x0103_0000_0000_0000L)).isEqualTo(-1);
    assertThat(FullFeatureHandler.lun(0x0003_0000_0000_0001L)).isEqualTo(-1);
  }
}
