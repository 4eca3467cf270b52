package io.karst.core.internal;

import static io.karst.core.internal.TestBed.assertSense;
import static io.karst.core.internal.TestBed.cdb;
import static io.karst.core.internal.TestBed.read10;
import static io.karst.core.internal.TestBed.write10;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.local.LocalResult;
import io.karst.api.local.LocalSession;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.Status;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PersistentReservationsTest extends BedTest {

  static final int REGISTER = 0;
  static final int RESERVE = 1;
  static final int RELEASE = 2;
  static final int CLEAR = 3;
  static final int PREEMPT = 4;
  static final int PREEMPT_AND_ABORT = 5;
  static final int REGISTER_AND_IGNORE = 6;
  static final int REGISTER_AND_MOVE = 7;
  static final int WE = 1;
  static final int EA = 3;

  static final byte[] TUR = cdb(0, 0, 0, 0, 0, 0);

  private LocalSession a;
  private LocalSession b;
  private LocalSession c;

  @BeforeEach
  void sessions() throws Exception {
    a = bed.session;
    b = bed.driver.login("t1", "iqn.test:second");
    c = bed.driver.login("t1", "iqn.test:stranger");
  }

  @AfterEach
  void logout() {
    b.close();
    c.close();
  }

  static byte[] proutCdb(int action, int type, int length) {
    return ByteBuffer.allocate(10).put((byte) 0x5F).put((byte) action).put((byte) type)
        .put((byte) 0).put((byte) 0).putInt(length).put((byte) 0).array();
  }

  static byte[] basic(long key, long serviceActionKey, int flags) {
    return ByteBuffer.allocate(24).putLong(key).putLong(serviceActionKey).putInt(0)
        .put((byte) flags).array();
  }

  static LocalResult prout(LocalSession s, int action, int type, byte[] parameters)
      throws Exception {
    return TestBed.send(s, 0, proutCdb(action, type, parameters.length), parameters, 0);
  }

  static LocalResult prout(LocalSession s, int action, int type, long key, long sark)
      throws Exception {
    return prout(s, action, type, basic(key, sark, 0));
  }

  static ByteBuffer prin(LocalSession s, int action, int allocation) throws Exception {
    LocalResult r = TestBed.send(s, 0, cdb(0x5E, action, 0, 0, 0, 0, 0, allocation >> 8,
        allocation & 0xFF, 0), null, allocation);
    assertThat(r.status()).isEqualTo(Status.GOOD);
    return ByteBuffer.wrap(r.dataIn());
  }

  static java.util.List<Long> keys(LocalSession s) throws Exception {
    ByteBuffer d = prin(s, 0, 4096);
    d.getInt();
    int n = d.getInt() / 8;
    java.util.List<Long> out = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(d.getLong());
    }
    return out;
  }

  static int generation(LocalSession s) throws Exception {
    return prin(s, 0, 8).getInt(0);
  }

  private static Status status(LocalSession s, byte[] cdb) throws Exception {
    return TestBed.send(s, 0, cdb, cdb[0] == 0x2A ? new byte[512] : null,
        cdb[0] == 0x28 ? 512 : 0).status();
  }

  @Test
  void registerChangeAndUnregisterBumpTheGeneration() throws Exception {
    int start = generation(a);
    assertThat(prout(a, REGISTER, 0, 0, 0x11).status()).isEqualTo(Status.GOOD);
    assertThat(keys(a)).containsExactly(0x11L);
    assertThat(prout(a, REGISTER, 0, 0x99, 0x12).status()).as("wrong key")
        .isEqualTo(Status.RESERVATION_CONFLICT);
    assertThat(prout(a, REGISTER, 0, 0x11, 0x12).status()).isEqualTo(Status.GOOD);
    assertThat(prout(a, REGISTER_AND_IGNORE, 0, 0x77, 0x13).status()).isEqualTo(Status.GOOD);
    assertThat(keys(b)).containsExactly(0x13L);
    assertThat(prout(a, REGISTER, 0, 0x13, 0).status()).isEqualTo(Status.GOOD);
    assertThat(keys(a)).isEmpty();
    assertThat(generation(a)).isEqualTo(start + 4);
    assertThat(prout(b, REGISTER, 0, 0x5, 0x6).status()).as("unregistered with a key")
        .isEqualTo(Status.RESERVATION_CONFLICT);
    assertThat(prout(b, REGISTER, 0, 0, 0).status()).as("unregistered, zero: nothing")
        .isEqualTo(Status.GOOD);
    assertThat(generation(a)).isEqualTo(start + 4);
  }

  @Test
  void readKeysHonoursTheAllocationLength() throws Exception {
    prout(a, REGISTER, 0, 0, 0x21);
    prout(b, REGISTER, 0, 0, 0x22);
    ByteBuffer d = prin(a, 0, 8);
    assertThat(d.remaining()).isEqualTo(8);
    assertThat(d.getInt(4)).as("the length of the whole list").isEqualTo(16);
  }

  /** Per type: whether a registered and an unregistered non-holder may read and write. */
  @ParameterizedTest
  @CsvSource({
      "1, true, false, true, false",
      "3, false, false, false, false",
      "5, true, true, true, false",
      "6, true, true, false, false",
      "7, true, true, true, false",
      "8, true, true, false, false"})
  void eachTypeAdmitsWhatTheStandardSays(int type, boolean regRead, boolean regWrite,
      boolean unregRead, boolean unregWrite) throws Exception {
    prout(a, REGISTER, 0, 0, 0xA);
    prout(b, REGISTER, 0, 0, 0xB);
    assertThat(prout(a, RESERVE, type, 0xA, 0).status()).isEqualTo(Status.GOOD);
    ByteBuffer r = prin(c, 1, 64);
    assertThat(r.getInt(4)).isEqualTo(16);
    assertThat(r.getLong(8)).isEqualTo(type >= 7 ? 0 : 0xA);
    assertThat(r.get(21)).isEqualTo((byte) type);
    assertThat(status(a, read10(1, 1))).isEqualTo(Status.GOOD);
    assertThat(status(a, write10(1, 1))).isEqualTo(Status.GOOD);
    assertThat(status(b, read10(1, 1)) == Status.GOOD).isEqualTo(regRead);
    assertThat(status(b, write10(1, 1)) == Status.GOOD).isEqualTo(regWrite);
    assertThat(status(c, read10(1, 1)) == Status.GOOD).isEqualTo(unregRead);
    assertThat(status(c, write10(1, 1)) == Status.GOOD).isEqualTo(unregWrite);
    assertThat(status(c, cdb(0, 0, 0, 0, 0, 0))).as("TEST UNIT READY always")
        .isEqualTo(Status.GOOD);
    assertThat(status(c, cdb(0x12, 0, 0, 0, 36, 0))).isEqualTo(Status.GOOD);
    assertThat(prout(a, RESERVE, type == 1 ? 3 : 1, 0xA, 0).status())
        .as("another type from the holder").isEqualTo(Status.RESERVATION_CONFLICT);
    assertSense(prout(a, RELEASE, type == 1 ? 3 : 1, 0xA, 0), PrState.INVALID_RELEASE);
    assertThat(prout(a, RELEASE, type, 0xA, 0).status()).isEqualTo(Status.GOOD);
    assertThat(prin(c, 1, 64).getInt(4)).isZero();
    assertThat(status(c, write10(1, 1))).isEqualTo(Status.GOOD);
  }

  @Test
  void theReservationEndsWhenItsHolderUnregisters() throws Exception {
    prout(a, REGISTER, 0, 0, 0xA);
    prout(b, REGISTER, 0, 0, 0xB);
    prout(a, RESERVE, EA, 0xA, 0);
    prout(a, REGISTER, 0, 0xA, 0);
    assertThat(prin(b, 1, 64).getInt(4)).isZero();
    prout(b, RESERVE, 8, 0xB, 0);
    prout(a, REGISTER, 0, 0, 0xA);
    prout(b, REGISTER, 0, 0xB, 0);
    assertThat(prin(b, 1, 64).getInt(4)).as("all registrants: others still hold it")
        .isEqualTo(16);
  }

  @Test
  void spc2ReserveAndReleaseConflictWithRegistrations() throws Exception {
    prout(a, REGISTER, 0, 0, 0xA);
    assertThat(status(a, cdb(0x16, 0, 0, 0, 0, 0))).isEqualTo(Status.RESERVATION_CONFLICT);
    assertThat(status(b, cdb(0x57, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
        .isEqualTo(Status.RESERVATION_CONFLICT);
    prout(a, RESERVE, WE, 0xA, 0);
    assertThat(status(a, cdb(0x16, 0, 0, 0, 0, 0))).as("the holder: GOOD, nothing changes")
        .isEqualTo(Status.GOOD);
    assertThat(status(b, cdb(0x00, 0, 0, 0, 0, 0))).isEqualTo(Status.GOOD);
    assertThat(status(a, cdb(0x17, 0, 0, 0, 0, 0))).isEqualTo(Status.GOOD);
    assertThat(prin(b, 1, 64).getInt(4)).as("still reserved").isEqualTo(16);
    prout(a, RELEASE, WE, 0xA, 0);
    prout(a, REGISTER, 0, 0xA, 0);
    assertThat(status(a, cdb(0x16, 0, 0, 0, 0, 0))).isEqualTo(Status.GOOD);
    assertThat(prout(b, REGISTER, 0, 0, 0xB).status()).as("another nexus's SPC-2 reservation")
        .isEqualTo(Status.RESERVATION_CONFLICT);
    assertThat(prin(b, 0, 64).getInt(4)).isZero();
    assertThat(status(a, cdb(0x17, 0, 0, 0, 0, 0))).isEqualTo(Status.GOOD);
  }

  @Test
  void clearRemovesEverythingAndCountsOnce() throws Exception {
    prout(a, REGISTER, 0, 0, 0xA);
    prout(b, REGISTER, 0, 0, 0xB);
    prout(a, RESERVE, EA, 0xA, 0);
    int before = generation(a);
    assertThat(prout(c, CLEAR, 0, 0xC, 0).status()).isEqualTo(Status.RESERVATION_CONFLICT);
    assertThat(prout(b, CLEAR, 0, 0xB, 0).status()).isEqualTo(Status.GOOD);
    assertSense(TestBed.send(a, 0, TUR, null, 0), UnitAttention.RESERVATIONS_PREEMPTED);
    assertThat(status(b, TUR)).as("not the nexus that cleared").isEqualTo(Status.GOOD);
    assertThat(status(c, TUR)).as("nor one never registered").isEqualTo(Status.GOOD);
    assertThat(keys(a)).isEmpty();
    assertThat(prin(a, 1, 64).getInt(4)).isZero();
    assertThat(generation(a)).isEqualTo(before + 1);
  }

  @Test
  void preemptTakesTheReservationAndRemovesTheHolder() throws Exception {
    prout(a, REGISTER, 0, 0, 0xA);
    prout(b, REGISTER, 0, 0, 0xB);
    prout(a, RESERVE, EA, 0xA, 0);
    int before = generation(a);
    assertSense(prout(b, PREEMPT, WE, 0xB, 0), Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    assertThat(prout(b, PREEMPT, WE, 0xB, 0x99).status()).as("no such key")
        .isEqualTo(Status.RESERVATION_CONFLICT);
    assertThat(prout(b, PREEMPT_AND_ABORT, WE, 0xB, 0xA).status()).isEqualTo(Status.GOOD);
    assertSense(TestBed.send(a, 0, TUR, null, 0), UnitAttention.REGISTRATIONS_PREEMPTED);
    assertThat(status(a, TUR)).as("no task was aborted: nothing more").isEqualTo(Status.GOOD);
    assertThat(keys(a)).containsExactly(0xBL);
    ByteBuffer r = prin(a, 1, 64);
    assertThat(r.getLong(8)).isEqualTo(0xB);
    assertThat(r.get(21)).isEqualTo((byte) WE);
    assertThat(generation(a)).isEqualTo(before + 1);
    assertThat(status(a, write10(1, 1))).isEqualTo(Status.RESERVATION_CONFLICT);
  }

  @Test
  void preemptWithoutAReservationRemovesRegistrations() throws Exception {
    prout(a, REGISTER, 0, 0, 0xA);
    prout(b, REGISTER, 0, 0, 0xB);
    assertThat(prout(b, PREEMPT, EA, 0xB, 0xA).status()).isEqualTo(Status.GOOD);
    assertSense(TestBed.send(a, 0, TUR, null, 0), UnitAttention.REGISTRATIONS_PREEMPTED);
    assertThat(keys(a)).containsExactly(0xBL);
    assertThat(prin(a, 1, 64).getInt(4)).isZero();
    int before = generation(a);
    assertThat(prout(b, PREEMPT, EA, 0xB, 0xB).status()).as("its own key: nothing to remove")
        .isEqualTo(Status.GOOD);
    assertThat(keys(a)).containsExactly(0xBL);
    assertThat(generation(a)).isEqualTo(before + 1);
  }

  @Test
  void releasingARegistrantsOnlyReservationTellsTheOtherRegistrants() throws Exception {
    prout(a, REGISTER, 0, 0, 0xA);
    prout(b, REGISTER, 0, 0, 0xB);
    prout(a, RESERVE, 5, 0xA, 0);
    assertThat(prout(a, RELEASE, 5, 0xA, 0).status()).isEqualTo(Status.GOOD);
    assertSense(TestBed.send(b, 0, TUR, null, 0), UnitAttention.RESERVATIONS_RELEASED);
    assertThat(status(a, TUR)).isEqualTo(Status.GOOD);
    assertThat(status(c, TUR)).as("not registered").isEqualTo(Status.GOOD);
    prout(a, RESERVE, EA, 0xA, 0);
    assertThat(prout(a, RELEASE, EA, 0xA, 0).status()).isEqualTo(Status.GOOD);
    assertThat(status(b, TUR)).as("an exclusive access one: nobody is told")
        .isEqualTo(Status.GOOD);
    prout(a, RESERVE, 5, 0xA, 0);
    assertThat(prout(a, REGISTER, 0, 0xA, 0).status()).as("the holder unregisters")
        .isEqualTo(Status.GOOD);
    assertSense(TestBed.send(b, 0, TUR, null, 0), UnitAttention.RESERVATIONS_RELEASED);
  }

  @Test
  void preemptChangingTheTypeTellsTheRegistrantsThatStay() throws Exception {
    prout(a, REGISTER, 0, 0, 0xA);
    prout(b, REGISTER, 0, 0, 0xB);
    prout(c, REGISTER, 0, 0, 0xC);
    prout(a, RESERVE, WE, 0xA, 0);
    assertThat(prout(b, PREEMPT, EA, 0xB, 0xA).status()).isEqualTo(Status.GOOD);
    assertSense(TestBed.send(a, 0, TUR, null, 0), UnitAttention.REGISTRATIONS_PREEMPTED);
    assertSense(TestBed.send(c, 0, TUR, null, 0), UnitAttention.RESERVATIONS_RELEASED);
    assertThat(status(b, TUR)).isEqualTo(Status.GOOD);
  }

  @Test
  void specifiedPortsAreRegisteredWithTheSameKey() throws Exception {
    byte[] other = TransportId.of("iqn.test:second").encode();
    byte[] params = ByteBuffer.allocate(28 + other.length).put(basic(0, 0x5, 0x08))
        .putInt(other.length).put(other).array();
    assertThat(prout(a, REGISTER, 0, params).status()).isEqualTo(Status.GOOD);
    assertThat(keys(a)).containsExactly(0x5L, 0x5L);
    assertThat(prout(b, RESERVE, WE, 0x5, 0).status()).isEqualTo(Status.GOOD);
    byte[] again = params.clone();
    again[7] = 0x5;
    assertThat(prout(a, REGISTER, 0, params).status()).as("the wrong key comes first")
        .isEqualTo(Status.RESERVATION_CONFLICT);
    assertSense(prout(a, REGISTER, 0, again), Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    byte[] shortList = java.util.Arrays.copyOf(params, params.length - 4);
    assertSense(prout(c, REGISTER, 0, shortList), Sense.PARAMETER_LIST_LENGTH_ERROR);
    assertSense(prout(c, REGISTER_AND_IGNORE, 0, params), Sense.INVALID_FIELD_IN_PARAMETER_LIST);
  }

  @Test
  void readFullStatusDescribesEveryRegistration() throws Exception {
    prout(a, REGISTER, 0, 0, 0xA);
    prout(b, REGISTER, 0, basic(0, 0xB, 0x04));
    prout(a, RESERVE, EA, 0xA, 0);
    ByteBuffer d = prin(c, 3, 4096);
    int generation = d.getInt();
    int length = d.getInt();
    assertThat(generation).isEqualTo(generation(a));
    assertThat(length).isEqualTo(d.remaining());
    assertThat(d.getLong(8)).isEqualTo(0xA);
    assertThat(d.get(8 + 12)).as("R_HOLDER").isEqualTo((byte) 0x01);
    assertThat(d.get(8 + 13)).isEqualTo((byte) EA);
    assertThat(d.getShort(8 + 18)).as("relative target port of t1").isEqualTo((short) 1);
    int idLength = d.getInt(8 + 20);
    byte[] id = new byte[idLength];
    d.get(8 + 24, id);
    assertThat(id[0]).as("iSCSI, name only").isEqualTo((byte) 0x05);
    assertThat(new String(id, 4, "iqn.test:host".length(), StandardCharsets.UTF_8))
        .isEqualTo("iqn.test:host");
    int second = 8 + 24 + idLength;
    assertThat(d.getLong(second)).isEqualTo(0xB);
    assertThat(d.get(second + 12)).as("ALL_TG_PT, not holder").isEqualTo((byte) 0x02);
  }

  @Test
  void registerAndMoveHandsTheReservationOver() throws Exception {
    prout(a, REGISTER, 0, 0, 0xA);
    prout(a, RESERVE, WE, 0xA, 0);
    byte[] id = TransportId.of("iqn.test:second").encode();
    byte[] params = ByteBuffer.allocate(24 + id.length).putLong(0xA).putLong(0xB2)
        .put((byte) 0).put((byte) 0x02).putShort((short) 1).putInt(id.length).put(id).array();
    byte[] badPort = params.clone();
    badPort[19] = 9;
    assertSense(prout(a, REGISTER_AND_MOVE, 0, badPort), Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    assertThat(prout(a, REGISTER_AND_MOVE, 0, params).status()).isEqualTo(Status.GOOD);
    assertThat(keys(a)).containsExactly(0xB2L);
    assertThat(prin(a, 1, 64).getLong(8)).isEqualTo(0xB2);
    assertThat(status(b, write10(1, 1))).isEqualTo(Status.GOOD);
    assertThat(status(a, write10(1, 1))).isEqualTo(Status.RESERVATION_CONFLICT);
  }

  @Test
  void badCdbsAndParameterListsGetIllegalRequest() throws Exception {
    assertSense(TestBed.send(a, 0, proutCdb(REGISTER, 0, 23), new byte[23], 0),
        Sense.PARAMETER_LIST_LENGTH_ERROR);
    assertSense(TestBed.send(a, 0, proutCdb(RESERVE, 0, 32), new byte[32], 0),
        Sense.INVALID_FIELD_IN_CDB);
    assertSense(prout(a, RESERVE, 2, 0, 0), Sense.INVALID_FIELD_IN_CDB);
    assertSense(prout(a, RESERVE, 0x11, 0, 0), Sense.INVALID_FIELD_IN_CDB);
    assertSense(prout(a, 8, 0, 0, 0), Sense.INVALID_FIELD_IN_CDB);
    assertSense(TestBed.send(a, 0, cdb(0x5E, 4, 0, 0, 0, 0, 0, 0, 64, 0), null, 64),
        Sense.INVALID_FIELD_IN_CDB);
    assertSense(prout(a, RESERVE, WE, basic(0, 0, 0x08)), Sense.INVALID_FIELD_IN_PARAMETER_LIST);
  }

  @Test
  void reportCapabilitiesListsEveryType() throws Exception {
    ByteBuffer d = prin(a, 2, 8);
    assertThat(d.getShort(0)).isEqualTo((short) 8);
    assertThat(d.get(4)).isEqualTo((byte) 0xEA);
    assertThat(d.get(5)).isEqualTo((byte) 0x01);
    assertThat(d.get(3) & 0x01).as("PTPL_A").isZero();
    prout(a, REGISTER, 0, basic(0, 1, 0x01));
    assertThat(prin(a, 2, 8).get(3) & 0x01).isEqualTo(1);
  }

  @Test
  void aptplStateSurvivesARestart() throws Exception {
    prout(a, REGISTER, 0, basic(0, 0xA, 0x01));
    prout(b, REGISTER, 0, basic(0, 0xB, 0x01));
    prout(a, RESERVE, EA, 0xA, 0);
    int generation = generation(a);
    Path file = dir.resolve("pr").resolve("disk0.pr");
    assertThat(file).exists();
    restart();
    assertThat(keys(a)).containsExactly(0xAL, 0xBL);
    assertThat(generation(a)).isEqualTo(generation);
    assertThat(prin(a, 1, 64).getLong(8)).isEqualTo(0xA);
    assertThat(status(b, read10(1, 1))).isEqualTo(Status.RESERVATION_CONFLICT);
    assertThat(status(a, read10(1, 1))).isEqualTo(Status.GOOD);
    prout(a, REGISTER, 0, basic(0xA, 0xA, 0));
    assertThat(file).as("APTPL cleared").doesNotExist();
    restart();
    assertThat(keys(a)).isEmpty();
  }

  @Test
  void aCorruptStateFileIsReportedAndMovedAside() throws Exception {
    Path file = dir.resolve("pr").resolve("disk0.pr");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "generation 3\nregistration zz * iqn.x\n");
    restart();
    assertThat(keys(a)).isEmpty();
    assertThat(file).doesNotExist();
    assertThat(file.resolveSibling("disk0.pr.corrupt")).exists();
  }

  @Test
  void theTransportIdCarriesTheIsid() throws Exception {
    TransportId port = TransportId.of("iqn.X:y,i,0x23D000000001");
    assertThat(port.toString()).isEqualTo("iqn.X:y,i,0x23d000000001");
    byte[] encoded = port.encode();
    assertThat(encoded[0]).isEqualTo((byte) 0x45);
    assertThat(encoded.length % 4).isZero();
    assertThat(TransportId.read(ByteBuffer.wrap(encoded))).isEqualTo(port);
    assertThat(TransportId.of("iqn.x:Y").covers(port)).isTrue();
    assertThat(port.covers(TransportId.of("iqn.x:y,i,0x23d000000002"))).isFalse();
  }

  /** A new engine on the same data directory, as after a restart of the server. */
  private void restart() throws Exception {
    b.close();
    c.close();
    bed.close();
    bed = new TestBed(dir, config());
    a = bed.session;
    b = bed.driver.login("t1", "iqn.test:second");
    c = bed.driver.login("t1", "iqn.test:stranger");
  }
}
