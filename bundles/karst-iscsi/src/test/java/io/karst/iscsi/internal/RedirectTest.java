package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A target's redirect attribute (iscsi-scst's syntax): login redirection, RFC 7143 11.13.5. */
class RedirectTest {

  private final FakeCore core = new FakeCore(FakeCore.settings());

  private Pdu login(String target, String redirect) {
    core.targets.add(new FakeCore.FakeTarget(target, true, true, Map.of("redirect", redirect)));
    Initiator i = new Initiator(core);
    Pdu r = i.loginNormal(target);
    assertThat(i.channel.isOpen()).isFalse();
    assertThat(core.initiators).as("no session").isEmpty();
    return r;
  }

  @Test
  void aTemporaryRedirectAnswersTargetMovedTemporarilyWithTheAddress() {
    Pdu r = login("iqn.2026-11.test:moved", "192.0.2.9:3261 temp");
    assertThat(r.u16(36)).isEqualTo(0x0101);
    assertThat(Initiator.keys(r)).containsExactly(Map.entry("TargetAddress", "192.0.2.9:3261"));
  }

  @Test
  void aPermanentRedirectAnswersTargetMovedPermanentlyOnPort3260ByDefault() {
    Pdu r = login("iqn.2026-11.test:gone", "[2001:db8::5] PERM");
    assertThat(r.u16(36)).isEqualTo(0x0102);
    assertThat(Initiator.keys(r)).containsEntry("TargetAddress", "[2001:db8::5]:3260");
  }

  @Test
  void discoveryIsNotRedirectedNorALoginThatReachedTheAddress() {
    core.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:moved", true, true,
        Map.of("redirect", "192.0.2.9:3261 temp")));
    Initiator discovery = new Initiator(core);
    discovery.send(discovery.login(0x87), Initiator.text("InitiatorName=iqn.2026-11.test:i",
        "SessionType=Discovery"));
    assertThat(discovery.read().u16(36)).isZero();

    Redirect r = Redirect.of(core.targets.get(core.targets.size() - 1));
    assertThat(r.reached(new InetSocketAddress("192.0.2.9", 3261))).isTrue();
    assertThat(r.reached(new InetSocketAddress("192.0.2.9", 3260))).isFalse();
    assertThat(r.reached(new InetSocketAddress("192.0.2.8", 3261))).isFalse();
    var v6 = Redirect.of(new FakeCore.FakeTarget("t", true, true,
        Map.of("redirect", "[2001:DB8::5]:3262 temp")));
    assertThat(v6.reached(new InetSocketAddress("2001:db8:0::5", 3262))).isTrue();
  }

  @Test
  void aBadRedirectKeepsTheDriverStoppedNamingIt() {
    for (var bad : Map.of("192.0.2.9", "is not address[:port] temp|perm",
        "192.0.2.9 later", "has type later, not temp or perm",
        "192.0.2.9:0 temp", "has a port that is not 1 to 65535",
        "2001:db8::5 temp", "has no address (IPv6 goes in brackets)").entrySet()) {
      FakeCore c = new FakeCore(FakeCore.settings());
      c.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:r", true, true,
          Map.of("redirect", bad.getKey())));
      assertThatThrownBy(() -> new IscsiTargetDriver().start(c)).hasMessage(
          "TARGET iqn.2026-11.test:r: redirect '" + bad.getKey() + "' " + bad.getValue());
    }
  }
}
