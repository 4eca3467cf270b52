package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** CHAP logins (RFC 7143 12.1.3, RFC 1994) through the real pipeline. */
class ChapTest {

  private static final String SECRET = "initiator-secret-1";
  private static final String TARGET_SECRET = "target-secret-22";
  /** The digests by CHAP_A number, as the IANA registry names them, independent of the code. */
  private static final Map<Integer, String> DIGESTS =
      Map.of(5, "MD5", 6, "SHA-1", 7, "SHA-256", 8, "SHA3-256");

  private final FakeCore core = new FakeCore(FakeCore.settings(
      "IncomingUser", "disco discovery-secret"));

  ChapTest() {
    core.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:chap", true, true, Map.of(
        "IncomingUser", "ann another-secret-3\njoe " + SECRET,
        "OutgoingUser", "tgt " + TARGET_SECRET)));
    core.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:oneway", true, true, Map.of(
        "IncomingUser", "joe " + SECRET)));
  }

  private static byte[] expected(int algorithm, int identifier, String secret, byte[] challenge)
      throws Exception {
    MessageDigest d = MessageDigest.getInstance(DIGESTS.get(algorithm));
    d.update((byte) identifier);
    d.update(secret.getBytes(StandardCharsets.UTF_8));
    return d.digest(challenge);
  }

  /** AuthMethod (with the T bit, as libiscsi sends it), then CHAP_A: the target's challenge. */
  private Map<String, String> challenge(Initiator i, String target, String algorithms) {
    return challenge(i, target, algorithms, "iqn.2026-11.test:i");
  }

  private Map<String, String> challenge(Initiator i, String target, String algorithms,
      String initiator) {
    i.send(i.login(0x81), Initiator.text("InitiatorName=" + initiator, "TargetName=" + target,
        "SessionType=Normal", "AuthMethod=CHAP,None"));
    Pdu r = i.read();
    assertThat(r.u16(36)).isZero();
    assertThat(r.flags()).as("no transit while CHAP is under way").isZero();
    assertThat(Initiator.keys(r)).containsEntry("AuthMethod", "CHAP")
        .containsEntry("TargetPortalGroupTag", "7");
    i.send(i.login(0x00), Initiator.text("CHAP_A=" + algorithms));
    r = i.read();
    assertThat(r.u16(36)).isZero();
    assertThat(r.flags()).isZero();
    return Initiator.keys(r);
  }

  private Pdu respond(Initiator i, String... keys) {
    i.send(i.login(0x81), Initiator.text(keys));
    return i.read();
  }

  private static String hex(byte[] b) {
    return "0x" + HexFormat.of().formatHex(b);
  }

  /** The operational stage, to full feature. */
  private void finish(Initiator i) {
    i.send(i.login(0x87), Initiator.text("MaxRecvDataSegmentLength=8192"));
    Pdu r = i.read();
    assertThat(r.u16(36)).isZero();
    assertThat(r.flags()).isEqualTo(0x87);
    assertThat(r.u16(14)).as("TSIH").isNotZero();
  }

  @ParameterizedTest
  @EnumSource(ChapAlgorithm.class)
  void oneWayWithEachAlgorithm(ChapAlgorithm algorithm) throws Exception {
    Initiator i = new Initiator(core);
    Map<String, String> c = challenge(i, "iqn.2026-11.test:chap", Integer.toString(algorithm.number));
    assertThat(c).containsEntry("CHAP_A", Integer.toString(algorithm.number));
    byte[] challenge = TextKeys.binary(c.get("CHAP_C"));
    assertThat(challenge).hasSize(MessageDigest.getInstance(
        DIGESTS.get(algorithm.number)).getDigestLength());
    int id = Integer.parseInt(c.get("CHAP_I"));
    Pdu r = respond(i, "CHAP_N=joe",
        "CHAP_R=" + hex(expected(algorithm.number, id, SECRET, challenge)));
    assertThat(r.u16(36)).isZero();
    assertThat(r.flags()).isEqualTo(0x81);
    assertThat(Initiator.keys(r)).doesNotContainKeys("CHAP_N", "CHAP_R");
    assertThat(core.initiators).isEmpty();
    finish(i);
    assertThat(core.initiators).containsExactly("iqn.2026-11.test:i");
  }

  @ParameterizedTest
  @EnumSource(ChapAlgorithm.class)
  void mutualWithEachAlgorithmAndABase64Challenge(ChapAlgorithm algorithm) throws Exception {
    Initiator i = new Initiator(core);
    Map<String, String> c = challenge(i, "iqn.2026-11.test:chap", Integer.toString(algorithm.number));
    byte[] challenge = TextKeys.binary(c.get("CHAP_C"));
    int id = Integer.parseInt(c.get("CHAP_I"));
    byte[] mine = "a challenge of the initiator".getBytes(StandardCharsets.US_ASCII);
    Pdu r = respond(i, "CHAP_N=joe",
        "CHAP_R=" + hex(expected(algorithm.number, id, SECRET, challenge)), "CHAP_I=200",
        "CHAP_C=0b" + Base64.getEncoder().encodeToString(mine));
    assertThat(r.u16(36)).isZero();
    assertThat(Initiator.keys(r)).containsEntry("CHAP_N", "tgt")
        .containsEntry("CHAP_R", hex(expected(algorithm.number, 200, TARGET_SECRET, mine)));
    finish(i);
  }

  @Test
  void algorithmsAndIdentifiersMayBeHexadecimal() throws Exception {
    Initiator i = new Initiator(core);
    Map<String, String> c = challenge(i, "iqn.2026-11.test:chap", "0x5,0X06,junk");
    assertThat(c).as("the target answers in decimal").containsEntry("CHAP_A", "6");
    byte[] challenge = TextKeys.binary(c.get("CHAP_C"));
    int id = Integer.parseInt(c.get("CHAP_I"));
    byte[] mine = "another challenge of the initiator".getBytes(StandardCharsets.US_ASCII);
    Pdu r = respond(i, "CHAP_N=joe", "CHAP_R=" + hex(expected(6, id, SECRET, challenge)),
        "CHAP_I=0xc8", "CHAP_C=" + hex(mine));
    assertThat(r.u16(36)).isZero();
    assertThat(Initiator.keys(r)).containsEntry("CHAP_R",
        hex(expected(6, 200, TARGET_SECRET, mine)));
    assertThat(ChapAlgorithm.strongest("0x8")).isEqualTo(ChapAlgorithm.SHA3_256);
    assertThat(ChapAlgorithm.strongest("0x,-5,5x")).isNull();
  }

  @Test
  void theStrongestOfferedAlgorithmIsTakenAndChallengesAreFresh() {
    Initiator a = new Initiator(core);
    Map<String, String> first = challenge(a, "iqn.2026-11.test:chap", "5,7,6,99");
    assertThat(first).containsEntry("CHAP_A", "7");
    Initiator b = new Initiator(core);
    Map<String, String> second = challenge(b, "iqn.2026-11.test:chap", "5,8,7");
    assertThat(second).containsEntry("CHAP_A", "8");
    assertThat(second.get("CHAP_C")).isNotEqualTo(first.get("CHAP_C"));
  }

  @Test
  void aSecondIncomingUserLogsInToo() throws Exception {
    Initiator i = new Initiator(core);
    Map<String, String> c = challenge(i, "iqn.2026-11.test:chap", "5");
    Pdu r = respond(i, "CHAP_N=ann", "CHAP_R=" + hex(expected(5,
        Integer.parseInt(c.get("CHAP_I")), "another-secret-3", TextKeys.binary(c.get("CHAP_C")))));
    assertThat(r.u16(36)).isZero();
  }

  /** Expects an authentication failure, answered only after the delay, and nothing reached. */
  private void assertFailsLate(Initiator i) {
    assertThat(i.read()).as("no answer before the delay").isNull();
    assertThat(i.channel.isOpen()).isTrue();
    i.channel.advanceTimeBy(AuthenticationThrottle.FIRST_DELAY_MILLIS,
        TimeUnit.MILLISECONDS);
    i.channel.runScheduledPendingTasks();
    Pdu r = i.read();
    assertThat(r.opcode()).isEqualTo(Opcode.LOGIN_RESPONSE);
    assertThat(r.u16(36)).as("authentication failure").isEqualTo(0x0201);
    assertThat(i.channel.isOpen()).isFalse();
    assertThat(core.initiators).isEmpty();
  }

  @Test
  void parallelWrongSecretsAreAnsweredOneDelayAfterAnotherAndOthersAreNotHeldUp()
      throws Exception {
    // One driver, one clock: the attempts all fail at the same moment, on connections of their
    // own, as an attacker would try them.
    java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
    IscsiService service = new IscsiService(core, java.util.List.of(), clock::get);
    String target = "iqn.2026-11.test:chap";
    long[] turns = {1500, 1500 + 3000, 1500 + 3000 + 6000, 1500 + 3000 + 6000 + 12000};
    java.util.List<Initiator> wrong = new java.util.ArrayList<>();
    for (int k = 0; k < turns.length + 1; k++) {
      Initiator i = new Initiator(core, service);
      // Each channel's time moves only when told to, so that its turn is exactly measured.
      i.channel.freezeTime();
      Map<String, String> c = challenge(i, target, "7");
      i.send(i.login(0x81), Initiator.text("CHAP_N=joe", "CHAP_R=" + hex(expected(7,
          Integer.parseInt(c.get("CHAP_I")), "not-the-secret", TextKeys.binary(c.get("CHAP_C"))))));
      wrong.add(i);
    }
    for (int k = 0; k < turns.length; k++) {
      Initiator i = wrong.get(k);
      i.channel.advanceTimeBy(turns[k] - 1, TimeUnit.MILLISECONDS);
      i.channel.runScheduledPendingTasks();
      assertThat(i.read()).as("attempt %d before its turn", k).isNull();
      i.channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
      i.channel.runScheduledPendingTasks();
      assertThat(i.read().u16(36)).as("attempt %d at its turn", k).isEqualTo(0x0201);
      assertThat(i.channel.isOpen()).isFalse();
    }
    Initiator beyond = wrong.get(turns.length);
    assertThat(beyond.read()).as("a turn beyond the login's patience: no answer").isNull();
    assertThat(beyond.channel.isOpen()).isFalse();

    // Another initiator is not held up by them (a test channel has no address, which
    // AuthenticationThrottleTest counts: another host is not held up either, and one that
    // shares the attacker's address is).
    Initiator other = new Initiator(core, service);
    Map<String, String> c = challenge(other, target, "7", "iqn.2026-11.test:other");
    Pdu r = respond(other, "CHAP_N=joe", "CHAP_R=" + hex(expected(7,
        Integer.parseInt(c.get("CHAP_I")), SECRET, TextKeys.binary(c.get("CHAP_C")))));
    assertThat(r.u16(36)).isZero();
    finish(other);

    // The right secret under the attacked name waits for the last turn too, then forgets the
    // failures: the next one waits the first delay only.
    Initiator right = new Initiator(core, service);
    right.channel.freezeTime();
    c = challenge(right, target, "7");
    right.send(right.login(0x81), Initiator.text("CHAP_N=joe", "CHAP_R=" + hex(expected(7,
        Integer.parseInt(c.get("CHAP_I")), SECRET, TextKeys.binary(c.get("CHAP_C"))))));
    right.channel.advanceTimeBy(turns[turns.length - 1] - 1, TimeUnit.MILLISECONDS);
    right.channel.runScheduledPendingTasks();
    assertThat(right.read()).as("a success before its turn").isNull();
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(turns[turns.length - 1]));
    right.channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
    right.channel.runScheduledPendingTasks();
    assertThat(right.read().u16(36)).isZero();
    finish(right);
    Initiator again = new Initiator(core, service);
    c = challenge(again, target, "7");
    again.channel.freezeTime();
    again.send(again.login(0x81), Initiator.text("CHAP_N=joe", "CHAP_R=0x00"));
    again.channel.advanceTimeBy(AuthenticationThrottle.FIRST_DELAY_MILLIS - 1,
        TimeUnit.MILLISECONDS);
    again.channel.runScheduledPendingTasks();
    assertThat(again.read()).isNull();
    again.channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
    again.channel.runScheduledPendingTasks();
    assertThat(again.read().u16(36)).isEqualTo(0x0201);
  }

  @Test
  void aWrongSecretAnUnknownUserAndAMissingResponseFail() throws Exception {
    Initiator wrong = new Initiator(core);
    Map<String, String> c = challenge(wrong, "iqn.2026-11.test:chap", "7");
    wrong.send(wrong.login(0x81), Initiator.text("CHAP_N=joe", "CHAP_R=" + hex(expected(7,
        Integer.parseInt(c.get("CHAP_I")), "not-the-secret", TextKeys.binary(c.get("CHAP_C"))))));
    assertFailsLate(wrong);

    Initiator unknown = new Initiator(core);
    c = challenge(unknown, "iqn.2026-11.test:chap", "7");
    unknown.send(unknown.login(0x81), Initiator.text("CHAP_N=eve", "CHAP_R=" + hex(expected(7,
        Integer.parseInt(c.get("CHAP_I")), SECRET, TextKeys.binary(c.get("CHAP_C"))))));
    assertFailsLate(unknown);

    Initiator silent = new Initiator(core);
    challenge(silent, "iqn.2026-11.test:chap", "7");
    silent.send(silent.login(0x81), Initiator.text("CHAP_N=joe"));
    assertFailsLate(silent);
  }

  @Test
  void withoutChapTheTargetIsNotReached() {
    Initiator none = new Initiator(core);
    none.send(none.login(0x81), Initiator.text("InitiatorName=iqn.2026-11.test:i",
        "TargetName=iqn.2026-11.test:chap", "AuthMethod=None"));
    assertFailsLate(none);

    Initiator skipping = new Initiator(core);
    skipping.send(skipping.login(0x87), Initiator.text("InitiatorName=iqn.2026-11.test:i",
        "TargetName=iqn.2026-11.test:chap"));
    assertFailsLate(skipping);

    Initiator leaving = new Initiator(core);
    leaving.send(leaving.login(0x81), Initiator.text("InitiatorName=iqn.2026-11.test:i",
        "TargetName=iqn.2026-11.test:chap"));
    assertFailsLate(leaving);

    Initiator noAlgorithm = new Initiator(core);
    noAlgorithm.send(noAlgorithm.login(0x01), Initiator.text("InitiatorName=iqn.2026-11.test:i",
        "TargetName=iqn.2026-11.test:chap", "AuthMethod=CHAP"));
    assertThat(noAlgorithm.read().u16(36)).isZero();
    noAlgorithm.send(noAlgorithm.login(0x01), Initiator.text("CHAP_A=1,2,128"));
    assertFailsLate(noAlgorithm);
  }

  @Test
  void aReflectedChallengeIsRefused() throws Exception {
    Initiator i = new Initiator(core);
    Map<String, String> c = challenge(i, "iqn.2026-11.test:chap", "5");
    byte[] challenge = TextKeys.binary(c.get("CHAP_C"));
    int id = Integer.parseInt(c.get("CHAP_I"));
    i.send(i.login(0x81), Initiator.text("CHAP_N=joe",
        "CHAP_R=" + hex(expected(5, id, SECRET, challenge)), "CHAP_I=" + id,
        "CHAP_C=" + c.get("CHAP_C")));
    assertFailsLate(i);
  }

  @Test
  void mutualChapWithoutAnOutgoingUserFails() throws Exception {
    Initiator i = new Initiator(core);
    Map<String, String> c = challenge(i, "iqn.2026-11.test:oneway", "5");
    i.send(i.login(0x81), Initiator.text("CHAP_N=joe", "CHAP_R=" + hex(expected(5,
        Integer.parseInt(c.get("CHAP_I")), SECRET, TextKeys.binary(c.get("CHAP_C")))),
        "CHAP_I=1", "CHAP_C=0x0102030405060708090a0b0c0d0e0f10"));
    assertFailsLate(i);
  }

  @Test
  void discoverySessionsUseTheDriversUsers() throws Exception {
    Initiator i = new Initiator(core);
    i.send(i.login(0x81), Initiator.text("InitiatorName=iqn.2026-11.test:i", "SessionType=Discovery",
        "AuthMethod=CHAP,None"));
    assertThat(Initiator.keys(i.read())).containsEntry("AuthMethod", "CHAP");
    i.send(i.login(0x01), Initiator.text("CHAP_A=5"));
    Map<String, String> c = Initiator.keys(i.read());
    Pdu r = respond(i, "CHAP_N=disco", "CHAP_R=" + hex(expected(5,
        Integer.parseInt(c.get("CHAP_I")), "discovery-secret", TextKeys.binary(c.get("CHAP_C")))));
    assertThat(r.u16(36)).isZero();
    finish(i);
  }

  @Test
  void aTargetWithoutUsersStillTakesNone() {
    Initiator i = new Initiator(core);
    Pdu r = i.loginNormal("iqn.2026-11.test:disk");
    assertThat(r.u16(36)).isZero();
    assertThat(Initiator.keys(r)).containsEntry("AuthMethod", "None");
  }

  @Test
  void binaryValuesAreHexOrBase64() {
    assertThat(TextKeys.binary("0x0aFF")).containsExactly(0x0a, 0xff);
    assertThat(TextKeys.binary("0X123")).containsExactly(0x01, 0x23);
    assertThat(TextKeys.binary("0bAQID")).containsExactly(1, 2, 3);
    assertThat(TextKeys.hex(new byte[] {0, (byte) 0xab})).isEqualTo("0x00ab");
    for (String bad : new String[] {"1234", "0x", "0xzz", "0b!!"}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> TextKeys.binary(bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
