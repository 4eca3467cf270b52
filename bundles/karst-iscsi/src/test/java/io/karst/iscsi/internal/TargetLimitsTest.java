package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A target's MaxSessions and QueuedCommands (iscsi-scst's names). */
class TargetLimitsTest {

  private final FakeCore core = new FakeCore(FakeCore.settings());

  @Test
  void maxSessionsRefusesOneMoreButNotAReinstatement() {
    core.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:one", true, true,
        Map.of("MaxSessions", "1")));
    Initiator first = new Initiator(core);
    assertThat(first.loginNormal("iqn.2026-11.test:one").u16(36)).isZero();

    Initiator second = first.port(2);
    assertThat(second.loginNormal("iqn.2026-11.test:one").u16(36)).as("out of resources")
        .isEqualTo(0x0302);
    assertThat(second.channel.isOpen()).isFalse();
    assertThat(first.port(3).loginNormal("iqn.2026-11.test:disk").u16(36))
        .as("other targets are not counted").isZero();

    Initiator again = first.port(1);
    assertThat(again.loginNormal("iqn.2026-11.test:one").u16(36)).as("a reinstatement replaces")
        .isZero();
    assertThat(first.channel.isOpen()).isFalse();

    again.channel.close();
    assertThat(first.port(4).loginNormal("iqn.2026-11.test:one").u16(36))
        .as("a session that ended frees its place").isZero();
  }

  @Test
  void queuedCommandsSetsTheWindowOfTheTargetsSessions() {
    core.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:four", true, true,
        Map.of("QueuedCommands", "4")));
    Initiator i = new Initiator(core);
    i.cmdSN = 10;
    Pdu r = i.loginNormal("iqn.2026-11.test:four");
    assertThat(r.u32(28)).as("ExpCmdSN").isEqualTo(10);
    assertThat(r.u32(32)).as("MaxCmdSN").isEqualTo(13);

    Initiator other = i.port(2);
    other.cmdSN = 10;
    assertThat(other.loginNormal("iqn.2026-11.test:disk").u32(32))
        .as("the driver's queue_depth elsewhere").isEqualTo(25);

    // A fifth command outside the window is dropped.
    core.behaviour = t -> { };
    for (int n = 0; n < 5; n++) {
      ByteBuf b = Initiator.bhs(0x01, 0xC0, n);
      b.setInt(20, 512);
      b.setInt(24, 10 + n);
      b.setByte(32, 0x08);
      b.setByte(36, 1);
      i.send(b, new byte[0]);
    }
    assertThat(core.tasks).hasSize(4);
  }

  @Test
  void aLimitOutOfRangeKeepsTheDriverStoppedNamingIt() {
    core.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:bad", true, true,
        Map.of("QueuedCommands", "0")));
    assertThatThrownBy(() -> new IscsiTargetDriver().start(core))
        .hasMessage("TARGET iqn.2026-11.test:bad: QueuedCommands '0' is not 1 to 65536");
    FakeCore other = new FakeCore(FakeCore.settings());
    other.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:bad", true, true,
        Map.of("MaxConnections", "many")));
    assertThatThrownBy(() -> new IscsiTargetDriver().start(other))
        .hasMessage("TARGET iqn.2026-11.test:bad: MaxConnections 'many' is not 1 to 65535");
  }
}
