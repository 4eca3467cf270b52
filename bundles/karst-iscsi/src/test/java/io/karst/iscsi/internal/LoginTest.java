package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoginTest {

  private final FakeCore core = new FakeCore(FakeCore.settings());
  private final Initiator initiator = new Initiator(core);

  @Test
  void aNormalLoginNegotiatesAndReachesFullFeature() {
    Pdu r = initiator.loginNormal("iqn.2026-11.test:disk");
    assertThat(r.opcode()).isEqualTo(Opcode.LOGIN_RESPONSE);
    assertThat(r.u16(36)).as("status").isZero();
    assertThat(r.flags()).isEqualTo(0x80 | 0x03);
    assertThat(r.u8(2)).as("VersionMax").isZero();
    assertThat(r.u8(3)).as("VersionActive").isZero();
    assertThat(r.u16(14)).as("TSIH").isNotZero();
    assertThat(r.itt()).isEqualTo(0x1000);
    assertThat(r.bhs.getByte(8)).as("ISID echoed").isEqualTo((byte) 0x40);
    assertThat(r.bhs.getByte(13)).isEqualTo((byte) 1);
    assertThat(r.u32(28)).as("ExpCmdSN").isEqualTo(1);
    assertThat(r.u32(32)).as("MaxCmdSN").isEqualTo(16);
    assertThat(Initiator.keys(r)).containsEntry("TargetPortalGroupTag", "7")
        .containsEntry("TargetAlias", "alias of iqn.2026-11.test:disk")
        .containsEntry("AuthMethod", "None").containsEntry("ImmediateData", "Yes")
        .containsEntry("InitialR2T", "No").containsEntry("MaxBurstLength", "16384")
        .containsEntry("FirstBurstLength", "4096").containsEntry("MaxOutstandingR2T", "2")
        .containsEntry("MaxRecvDataSegmentLength", "8192")
        .doesNotContainKeys("InitiatorName", "TargetName", "SessionType");
    assertThat(initiator.channel.pipeline().get(LoginHandler.class)).isNull();
    assertThat(initiator.channel.pipeline().get(CommandSequencer.class)).isNotNull();
    assertThat(initiator.channel.pipeline().get(ScsiCommandHandler.class)).isNotNull();
    assertThat(core.initiators).containsExactly("iqn.2026-11.test:initiator");
    byte[] id = core.transportIds.get(0);
    String port = "iqn.2026-11.test:initiator,i,0x400000000001";
    assertThat(id[0]).as("iSCSI, format 01b: an initiator port").isEqualTo((byte) 0x45);
    assertThat(((id[2] & 0xFF) << 8 | (id[3] & 0xFF)) + 4).isEqualTo(id.length);
    assertThat(id.length % 4).isZero();
    assertThat(new String(id, 4, port.length(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(port);
    assertThat(id[4 + port.length()]).as("NUL-terminated").isZero();
  }

  @Test
  void stagesAdvanceOneRequestAtATimeWithStatSnFromExpStatSn() {
    var first = initiator.login(0x81);
    first.setInt(28, 77);
    initiator.send(first, Initiator.text("InitiatorName=iqn.2026-11.test:i",
        "TargetName=iqn.2026-11.test:disk", "AuthMethod=CHAP,None"));
    Pdu security = initiator.read();
    assertThat(security.flags()).isEqualTo(0x81);
    assertThat(security.u32(24)).isEqualTo(77);
    assertThat(security.u16(14)).as("no TSIH before the final response").isZero();
    assertThat(Initiator.keys(security)).containsEntry("AuthMethod", "None")
        .containsEntry("TargetPortalGroupTag", "7");
    initiator.send(initiator.login(0x87), Initiator.text("HeaderDigest=CRC32C,None",
        "MaxConnections=4", "X-vendor.thing=1", "X#private=2", "MaxBurstLength=0x1000",
        "FirstBurstLength=262144", "ErrorRecoveryLevel=2", "IFMarker=Yes",
        "OFMarkInt=1~65535", "DefaultTime2Wait=0", "DefaultTime2Retain=60",
        "DataPDUInOrder=No", "Bogus=1", "TaskReporting=ResponseFence,RFC3720",
        "iSCSIProtocolLevel=2", "X#NodeArchitecture=ExampleOS/v1234"));
    Pdu op = initiator.read();
    assertThat(op.flags()).isEqualTo(0x87);
    assertThat(op.u32(24)).isEqualTo(78);
    assertThat(op.u16(14)).isNotZero();
    assertThat(Initiator.keys(op)).containsEntry("HeaderDigest", "CRC32C")
        .containsEntry("MaxConnections", "4")
        .containsEntry("X-vendor.thing", "NotUnderstood")
        .containsEntry("X#private", "NotUnderstood").containsEntry("Bogus", "NotUnderstood")
        .containsEntry("MaxBurstLength", "4096").containsEntry("FirstBurstLength", "4096")
        .containsEntry("ErrorRecoveryLevel", "0").containsEntry("IFMarker", "No")
        .containsEntry("OFMarkInt", "Irrelevant").containsEntry("DefaultTime2Wait", "2")
        .containsEntry("DefaultTime2Retain", "20").containsEntry("DataPDUInOrder", "Yes")
        .containsEntry("MaxRecvDataSegmentLength", "8192")
        .containsEntry("TaskReporting", "RFC3720").containsEntry("iSCSIProtocolLevel", "1")
        .doesNotContainKey("X#NodeArchitecture");
  }

  @Test
  void aDiscoverySessionAnswersSessionKeysIrrelevant() {
    initiator.send(initiator.login(0x83), Initiator.text("InitiatorName=iqn.2026-11.test:i",
        "SessionType=Discovery", "MaxBurstLength=4096", "InitialR2T=Yes",
        "TaskReporting=RFC3720"));
    Pdu r = initiator.read();
    assertThat(r.u16(36)).isZero();
    assertThat(Initiator.keys(r)).containsEntry("MaxBurstLength", "Irrelevant")
        .containsEntry("TaskReporting", "Irrelevant")
        .containsEntry("InitialR2T", "Irrelevant").doesNotContainKey("TargetPortalGroupTag");
    assertThat(initiator.channel.pipeline().get(ScsiCommandHandler.class)).isNull();
    assertThat(core.initiators).isEmpty();
  }

  @Test
  void continuedRequestsAreGatheredAndAcknowledged() {
    byte[] text = Initiator.text("InitiatorName=iqn.2026-11.test:i", "TargetName=iqn.2026-11.test:disk",
        "MaxBurstLength=8192");
    int cut = 20;
    initiator.send(initiator.login(0x40 | 0x01), java.util.Arrays.copyOf(text, cut));
    Pdu ack = initiator.read();
    assertThat(ack.u16(36)).isZero();
    assertThat(ack.flags()).isZero();
    assertThat(ack.dataLength()).isZero();
    initiator.send(initiator.login(0x83), java.util.Arrays.copyOfRange(text, cut, text.length));
    Pdu r = initiator.read();
    assertThat(r.u16(36)).isZero();
    assertThat(r.flags()).isEqualTo(0x83);
    assertThat(Initiator.keys(r)).containsEntry("MaxBurstLength", "8192");
  }

  @Test
  void malformedValuesAreRejected() {
    initiator.send(initiator.login(0x83), Initiator.text("InitiatorName=iqn.2026-11.test:i",
        "TargetName=iqn.2026-11.test:disk", "MaxRecvDataSegmentLength=12", "DataDigest=MD5,SHA",
        "ImmediateData=maybe", "MaxBurstLength=16777216"));
    assertThat(Initiator.keys(initiator.read()))
        .containsEntry("MaxRecvDataSegmentLength", "Reject")
        .containsEntry("DataDigest", "Reject").containsEntry("ImmediateData", "Reject")
        .containsEntry("MaxBurstLength", "Reject");
  }

  @Test
  void refusalsCarryTheirStatusAndCloseTheConnection() {
    assertRefused(0x0207, "TargetName=iqn.2026-11.test:disk");
    assertRefused(0x0207, "InitiatorName=iqn.2026-11.test:i");
    assertRefused(0x0203, "InitiatorName=iqn.2026-11.test:i", "TargetName=iqn.2026-11.test:none");
    assertRefused(0x0301, "InitiatorName=iqn.2026-11.test:i", "TargetName=iqn.2026-11.test:off");
    assertRefused(0x0202, "InitiatorName=iqn.2026-11.test:i", "TargetName=iqn.2026-11.test:secret");
    assertRefused(0x0209, "InitiatorName=iqn.2026-11.test:i", "SessionType=Other");
    assertRefused(0x0201, "InitiatorName=iqn.2026-11.test:i", "TargetName=iqn.2026-11.test:disk",
        "AuthMethod=CHAP");
    assertRefused(0x0200, "InitiatorName=iqn.2026-11.test:i", "InitiatorName=iqn.2026-11.test:j");
    assertRefused(0x0200, "InitiatorName=iqn.test:i", "TargetName=iqn.2026-11.test:disk");
    assertRefused(0x0200, "InitiatorName=iqn.2026-11.test:my host",
        "TargetName=iqn.2026-11.test:disk");
    assertRefused(0x0203, "InitiatorName=iqn.2026-11.test:i", "TargetName=disk");
    core.full = true;
    assertRefused(0x0302, "InitiatorName=iqn.2026-11.test:i", "TargetName=iqn.2026-11.test:disk");
  }

  private void assertRefused(int status, String... keys) {
    Initiator i = new Initiator(core);
    i.send(i.login(0x83), Initiator.text(keys));
    // An authentication failure is answered after a delay.
    i.channel.advanceTimeBy(AuthenticationThrottle.FIRST_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    i.channel.runScheduledPendingTasks();
    Pdu r = i.read();
    assertThat(r.opcode()).isEqualTo(Opcode.LOGIN_RESPONSE);
    assertThat(r.u16(36)).as(String.join(" ", keys)).isEqualTo(status);
    assertThat(r.itt()).isEqualTo(0x1000);
    assertThat(i.channel.isOpen()).isFalse();
  }

  @Test
  void badStagesVersionsAndTsihAreRefused() {
    assertRefusedWith(0x0200, b -> b.setByte(1, 0x80 | 0x08 | 0x01));
    assertRefusedWith(0x0205, b -> b.setByte(3, 1));
    assertRefusedWith(0x020A, b -> b.setShort(14, 9));
  }

  private void assertRefusedWith(int status, java.util.function.Consumer<io.netty.buffer.ByteBuf> edit) {
    Initiator i = new Initiator(core);
    var b = i.login(0x83);
    edit.accept(b);
    i.send(b, Initiator.text("InitiatorName=iqn.2026-11.test:i", "TargetName=iqn.2026-11.test:disk"));
    assertThat(i.read().u16(36)).isEqualTo(status);
    assertThat(i.channel.isOpen()).isFalse();
  }

  @Test
  void anythingButLoginBeforeLoginClosesTheConnection() {
    initiator.send(Initiator.bhs(0x01, 0x80, 1), new byte[0]);
    assertThat(initiator.channel.isOpen()).isFalse();
  }

  @Test
  void aConnectionThatNeverLogsInIsClosed() {
    initiator.channel.advanceTimeBy(LoginHandler.LOGIN_TIMEOUT_SECONDS - 1, TimeUnit.SECONDS);
    initiator.channel.runScheduledPendingTasks();
    assertThat(initiator.channel.isOpen()).isTrue();
    initiator.channel.advanceTimeBy(2, TimeUnit.SECONDS);
    initiator.channel.runScheduledPendingTasks();
    assertThat(initiator.channel.isOpen()).isFalse();
  }

  @Test
  void loggingInCancelsTheDeadline() {
    initiator.loginNormal("iqn.2026-11.test:disk");
    initiator.channel.advanceTimeBy(LoginHandler.LOGIN_TIMEOUT_SECONDS + 1, TimeUnit.SECONDS);
    initiator.channel.runScheduledPendingTasks();
    assertThat(initiator.channel.isOpen()).isTrue();
  }
}
