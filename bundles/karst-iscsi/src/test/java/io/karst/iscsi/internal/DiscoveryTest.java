package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiscoveryTest {

  private final FakeCore core = new FakeCore(FakeCore.settings());
  private final Initiator initiator = new Initiator(core, List.of(
      new InetSocketAddress("192.0.2.1", 3260), new InetSocketAddress("::1", 3261)));

  private void loginDiscovery(int maxRecv) {
    initiator.send(initiator.login(0x83), Initiator.text("InitiatorName=iqn.test:i",
        "SessionType=Discovery", "MaxRecvDataSegmentLength=" + maxRecv));
    assertThat(initiator.read().u16(36)).isZero();
  }

  private Pdu text(int ttt, String... keys) {
    var b = Initiator.bhs(0x44, 0x80, 5);
    b.setInt(20, ttt);
    b.setInt(24, initiator.cmdSN++);
    initiator.send(b, Initiator.text(keys));
    return initiator.read();
  }

  @Test
  void sendTargetsListsOnlyEnabledTargetsTheInitiatorMayReachWithEveryPortal() {
    loginDiscovery(8192);
    Pdu r = text(-1, "SendTargets=All");
    assertThat(r.opcode()).isEqualTo(Opcode.TEXT_RESPONSE);
    assertThat(r.flags()).isEqualTo(0x80);
    assertThat(r.itt()).isEqualTo(5);
    assertThat(r.u32(20)).isEqualTo(-1);
    assertThat(r.data.toString(StandardCharsets.UTF_8)).isEqualTo(
        "TargetName=iqn.test:disk\0TargetAddress=192.0.2.1:3260,7\0"
            + "TargetAddress=[0:0:0:0:0:0:0:1]:3261,7\0");
  }

  @Test
  void sendTargetsOfOneNameAndUnknownKeys() {
    loginDiscovery(8192);
    Pdu r = text(-1, "SendTargets=iqn.test:secret", "Other=1");
    assertThat(r.data.toString(StandardCharsets.UTF_8)).isEqualTo("Other=NotUnderstood\0");
  }

  @Test
  void scsiCommandsAreRejectedInADiscoverySession() {
    loginDiscovery(8192);
    initiator.command(9, 0xC0, 1, 512, new byte[0]);
    Pdu r = initiator.read();
    assertThat(r.opcode()).isEqualTo(Opcode.REJECT);
    assertThat(r.u8(2)).isEqualTo(Opcode.REJECT_PROTOCOL_ERROR);
  }

  @Test
  void longAnswersContinue() {
    for (int i = 0; i < 40; i++) {
      core.targets.add(new FakeCore.FakeTarget("iqn.2026-11.io.karst:a-rather-long-name-" + i,
          true, true));
    }
    loginDiscovery(512);
    StringBuilder all = new StringBuilder();
    Pdu r = text(-1, "SendTargets=All");
    int pieces = 1;
    while ((r.flags() & 0x40) != 0) {
      assertThat(r.flags() & 0x80).isZero();
      assertThat(r.dataLength()).isEqualTo(512);
      assertThat(r.u32(20)).isNotEqualTo(-1);
      all.append(r.data.toString(StandardCharsets.UTF_8));
      r = text(r.u32(20));
      pieces++;
    }
    all.append(r.data.toString(StandardCharsets.UTF_8));
    assertThat(r.u32(20)).isEqualTo(-1);
    assertThat(pieces).isGreaterThan(2);
    assertThat(all.toString().split("\0")).hasSize(41 * 3)
        .contains("TargetName=iqn.2026-11.io.karst:a-rather-long-name-39");
  }

  @Test
  void continuedRequestsAreAcknowledged() {
    loginDiscovery(8192);
    var b = Initiator.bhs(0x44, 0x40, 6);
    b.setInt(20, -1);
    b.setInt(24, initiator.cmdSN++);
    initiator.send(b, "SendTar".getBytes(StandardCharsets.UTF_8));
    Pdu ack = initiator.read();
    assertThat(ack.flags()).isZero();
    assertThat(ack.dataLength()).isZero();
    assertThat(ack.u32(20)).isNotEqualTo(-1);
    var rest = Initiator.bhs(0x44, 0x80, 6);
    rest.setInt(20, ack.u32(20));
    rest.setInt(24, initiator.cmdSN++);
    initiator.send(rest, Initiator.text("gets=All"));
    assertThat(initiator.read().data.toString(StandardCharsets.UTF_8))
        .startsWith("TargetName=iqn.test:disk\0");
  }

  @Test
  void aWildcardPortalIsAnnouncedWithTheConnectionAddress() throws Exception {
    var any = IscsiService.parsePortals("0.0.0.0:3260,[::1]:3261");
    var local = new InetSocketAddress("10.1.2.3", 3260);
    assertThat(Discovery.address(any.get(0), local)).isEqualTo("10.1.2.3");
    assertThat(Discovery.address(any.get(1), local)).isEqualTo("[0:0:0:0:0:0:0:1]");
    assertThat(any.get(1).getPort()).isEqualTo(3261);
  }
}
