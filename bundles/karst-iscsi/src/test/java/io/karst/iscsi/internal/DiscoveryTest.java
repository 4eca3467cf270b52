package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiscoveryTest {

  private final FakeCore core = new FakeCore(FakeCore.settings());
  private final Initiator initiator = new Initiator(core);

  private void loginDiscovery(int maxRecv) {
    initiator.send(initiator.login(0x83), Initiator.text("InitiatorName=iqn.test:i",
        "SessionType=Discovery", "MaxRecvDataSegmentLength=" + maxRecv));
    assertThat(initiator.read().u16(36)).isZero();
  }

  private Pdu sendTargets(int ttt) {
    var b = Initiator.bhs(0x44, 0x80, 5);
    b.setInt(20, ttt);
    b.setInt(24, initiator.cmdSN);
    initiator.send(b, ttt == -1 ? Initiator.text("SendTargets=All") : new byte[0]);
    return initiator.read();
  }

  @Test
  void sendTargetsListsOnlyTargetsTheInitiatorMayReach() {
    loginDiscovery(8192);
    Pdu r = sendTargets(-1);
    assertThat(r.opcode()).isEqualTo(Opcode.TEXT_RESPONSE);
    assertThat(r.flags()).isEqualTo(0x80);
    String text = r.data.toString(StandardCharsets.UTF_8);
    assertThat(text).isEqualTo("TargetName=iqn.test:disk\0");
  }

  @Test
  void longAnswersContinue() {
    for (int i = 0; i < 40; i++) {
      core.targets.add(new FakeCore.FakeTarget("iqn.2026-11.io.karst:a-rather-long-name-" + i,
          true, true));
    }
    loginDiscovery(512);
    StringBuilder all = new StringBuilder();
    Pdu r = sendTargets(-1);
    int pieces = 1;
    while ((r.flags() & 0x40) != 0) {
      assertThat(r.dataLength()).isEqualTo(512);
      all.append(r.data.toString(StandardCharsets.UTF_8));
      r = sendTargets(r.u32(20));
      pieces++;
    }
    all.append(r.data.toString(StandardCharsets.UTF_8));
    assertThat(r.u32(20)).isEqualTo(-1);
    assertThat(pieces).isGreaterThan(2);
    assertThat(all.toString().split("\0")).hasSize(41)
        .contains("TargetName=iqn.2026-11.io.karst:a-rather-long-name-39");
  }

  @Test
  void portalsAnnounceTheConnectionAddressForAWildcard() throws Exception {
    IscsiService s = new IscsiService(core, IscsiService.parsePortals("0.0.0.0:3260,[::1]:3261"));
    assertThat(s.portalAddresses(new java.net.InetSocketAddress("10.1.2.3", 3260)))
        .isEqualTo(List.of("10.1.2.3:3260", "[0:0:0:0:0:0:0:1]:3261"));
  }
}
