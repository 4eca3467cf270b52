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
    initiator.send(initiator.login(0x83), Initiator.text("InitiatorName=iqn.2026-11.test:i",
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
        "TargetName=iqn.2026-11.test:disk\0TargetAddress=192.0.2.1:3260,7\0"
            + "TargetAddress=[::1]:3261,7\0");
  }

  @Test
  void sendTargetsOfOneNameAndUnknownKeys() {
    loginDiscovery(8192);
    Pdu r = text(-1, "SendTargets=iqn.2026-11.test:secret", "Other=1");
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
        .startsWith("TargetName=iqn.2026-11.test:disk\0");
  }

  @Test
  void aWildcardPortalIsAnnouncedWithTheConnectionAddressThenTheHostsOthers() throws Exception {
    var portals = IscsiService.parsePortals("0.0.0.0:3260,[::1]:3261,192.0.2.7:3262");
    var local = new InetSocketAddress("10.1.2.3", 3260);
    var announced = Discovery.portals(portals, local);
    assertThat(announced.get(0)).isEqualTo(new InetSocketAddress("10.1.2.3", 3260));
    assertThat(announced).contains(new InetSocketAddress("::1", 3261),
        new InetSocketAddress("192.0.2.7", 3262));
    // Whatever else the wildcard stands for: this host's own addresses, IPv4, not loopback.
    var host = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())
        .stream().flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
        .toList();
    assertThat(announced.subList(1, announced.size() - 2)).allSatisfy(a -> {
      assertThat(a.getPort()).isEqualTo(3260);
      assertThat(a.getAddress()).isInstanceOf(java.net.Inet4Address.class)
          .isIn(host).matches(x -> !x.isLoopbackAddress());
    });
    assertThat(announced).doesNotHaveDuplicates();
  }

  @Test
  void addressesAreWrittenShort() throws Exception {
    assertThat(Discovery.host(java.net.InetAddress.getByName("::1"))).isEqualTo("::1");
    assertThat(Discovery.host(java.net.InetAddress.getByName("2001:db8:0:0:1:0:0:1")))
        .isEqualTo("2001:db8::1:0:0:1");
    assertThat(Discovery.host(java.net.InetAddress.getByName("fe80::1%1"))).isEqualTo("fe80::1");
    assertThat(Discovery.host(java.net.InetAddress.getByName("::"))).isEqualTo("::");
    assertThat(Discovery.host(java.net.InetAddress.getByName("1:2:3:4:5:6:7:8")))
        .isEqualTo("1:2:3:4:5:6:7:8");
    assertThat(Discovery.address(new InetSocketAddress("::1", 3260))).isEqualTo("[::1]:3260");
  }

  @Test
  void allowedPortalPatterns() throws Exception {
    assertThat(AllowedPortals.matches("10.170.7?.*", "10.170.77.2")).isTrue();
    assertThat(AllowedPortals.matches("10.170.7?.*", "10.170.67.2")).isFalse();
    assertThat(AllowedPortals.matches("[FE80::*]", "fe80::1")).isTrue();
    assertThat(AllowedPortals.matches("10.1.2.3", "10.1.2.33")).isFalse();
    var t = new FakeCore.FakeTarget("t", true, true,
        java.util.Map.of("allowed_portal", "10.170.*\n!10.170.67.2"));
    assertThat(AllowedPortals.allows(t, java.net.InetAddress.getByName("10.170.77.2"))).isTrue();
    assertThat(AllowedPortals.allows(t, java.net.InetAddress.getByName("10.170.67.2")))
        .isFalse();
    assertThat(AllowedPortals.allows(t, java.net.InetAddress.getByName("10.171.0.1")))
        .isFalse();
    var none = new FakeCore.FakeTarget("t", true, true, java.util.Map.of("allowed_portal", "!*"));
    assertThat(AllowedPortals.allows(none, java.net.InetAddress.getByName("10.0.0.1"))).isFalse();
    var only = new FakeCore.FakeTarget("t", true, true,
        java.util.Map.of("allowed_portal", "!127.*"));
    assertThat(AllowedPortals.allows(only, java.net.InetAddress.getByName("10.0.0.1"))).isTrue();
    assertThat(AllowedPortals.allows(only, null)).as("no address matches nothing").isTrue();
    assertThat(AllowedPortals.allows(t, null)).isFalse();
    assertThat(AllowedPortals.allows(new FakeCore.FakeTarget("t", true, true), null)).isTrue();
  }
}
