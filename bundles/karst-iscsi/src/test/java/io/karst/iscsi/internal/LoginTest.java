package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoginTest {

  private final FakeCore core = new FakeCore(FakeCore.settings());
  private final Initiator initiator = new Initiator(core);

  @Test
  void aNormalLoginNegotiatesAndReachesFullFeature() {
    Pdu r = initiator.loginNormal("iqn.test:disk");
    assertThat(r.opcode()).isEqualTo(Opcode.LOGIN_RESPONSE);
    assertThat(r.u16(36)).isZero();
    assertThat(r.flags()).isEqualTo(0x80 | 0x03);
    assertThat(r.u16(14)).isNotZero();
    assertThat(r.itt()).isEqualTo(0x1000);
    assertThat(r.u32(28)).isEqualTo(1);
    assertThat(r.u32(32)).isEqualTo(16);
    assertThat(Initiator.keys(r)).containsEntry("TargetPortalGroupTag", "1")
        .containsEntry("AuthMethod", "None").containsEntry("ImmediateData", "Yes")
        .containsEntry("InitialR2T", "No").containsEntry("MaxBurstLength", "16384")
        .containsEntry("FirstBurstLength", "4096").containsEntry("MaxOutstandingR2T", "2")
        .containsEntry("MaxRecvDataSegmentLength", "8192");
    assertThat(initiator.channel.pipeline().get(FullFeatureHandler.class)).isNotNull();
  }

  @Test
  void stagesAdvanceOneRequestAtATime() {
    initiator.send(initiator.login(0x81), Initiator.text("InitiatorName=iqn.test:i",
        "SessionType=Discovery", "AuthMethod=CHAP,None"));
    Pdu security = initiator.read();
    assertThat(security.flags()).isEqualTo(0x81);
    assertThat(Initiator.keys(security)).containsEntry("AuthMethod", "None");
    initiator.send(initiator.login(0x87), Initiator.text("HeaderDigest=CRC32C,None",
        "MaxConnections=4", "X-vendor.thing=1", "MaxBurstLength=12", "ErrorRecoveryLevel=2",
        "IFMarker=Yes", "OFMarkInt=1~65535"));
    Pdu op = initiator.read();
    assertThat(op.flags()).isEqualTo(0x87);
    assertThat(Initiator.keys(op)).containsEntry("HeaderDigest", "None")
        .containsEntry("MaxConnections", "Irrelevant")
        .containsEntry("X-vendor.thing", "NotUnderstood")
        .containsEntry("MaxBurstLength", "Irrelevant")
        .containsEntry("ErrorRecoveryLevel", "0").containsEntry("IFMarker", "No")
        .containsEntry("OFMarkInt", "Irrelevant")
        .containsEntry("MaxRecvDataSegmentLength", "8192");
  }

  @Test
  void outOfRangeValuesAreRejected() {
    initiator.send(initiator.login(0x83), Initiator.text("InitiatorName=iqn.test:i",
        "TargetName=iqn.test:disk", "MaxRecvDataSegmentLength=12", "DataDigest=CRC32C"));
    assertThat(Initiator.keys(initiator.read()))
        .containsEntry("MaxRecvDataSegmentLength", "Reject")
        .containsEntry("DataDigest", "Reject");
  }

  @Test
  void refusalsCarryTheirStatusAndCloseTheConnection() {
    assertRefused(0x0207, "TargetName=iqn.test:disk");
    assertRefused(0x0203, "InitiatorName=iqn.test:i", "TargetName=iqn.test:none");
    assertRefused(0x0302, "InitiatorName=iqn.test:i", "TargetName=iqn.test:off");
    assertRefused(0x0202, "InitiatorName=iqn.test:i", "TargetName=iqn.test:secret");
    assertRefused(0x0207, "InitiatorName=iqn.test:i");
  }

  private void assertRefused(int status, String... keys) {
    Initiator i = new Initiator(core);
    i.send(i.login(0x83), Initiator.text(keys));
    Pdu r = i.read();
    assertThat(r.u16(36)).isEqualTo(status);
    assertThat(i.channel.isOpen()).isFalse();
  }

  @Test
  void aConnectionThatNeverLogsInIsClosed() {
    initiator.channel.advanceTimeBy(LoginHandler.LOGIN_TIMEOUT_SECONDS - 1,
        java.util.concurrent.TimeUnit.SECONDS);
    initiator.channel.runScheduledPendingTasks();
    assertThat(initiator.channel.isOpen()).isTrue();
    initiator.channel.advanceTimeBy(2, java.util.concurrent.TimeUnit.SECONDS);
    initiator.channel.runScheduledPendingTasks();
    assertThat(initiator.channel.isOpen()).isFalse();
  }

  @Test
  void loggingInCancelsTheDeadline() {
    initiator.loginNormal("iqn.test:disk");
    initiator.channel.advanceTimeBy(LoginHandler.LOGIN_TIMEOUT_SECONDS + 1,
        java.util.concurrent.TimeUnit.SECONDS);
    initiator.channel.runScheduledPendingTasks();
    assertThat(initiator.channel.isOpen()).isTrue();
  }

  @Test
  void unsupportedVersionIsRefused() {
    var b = initiator.login(0x83);
    b.setByte(3, 1);
    initiator.send(b, Initiator.text("InitiatorName=iqn.test:i", "TargetName=iqn.test:disk"));
    assertThat(initiator.read().u16(36)).isEqualTo(0x0205);
  }
}
