package io.karst.core.internal;

import static io.karst.core.internal.TestBed.assertSense;
import static io.karst.core.internal.TestBed.cdb;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.local.LocalResult;
import io.karst.api.local.LocalSession;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseKey;
import io.karst.api.scsi.Status;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UnitAttentionTest extends BedTest {

  private static final byte[] TEST_UNIT_READY = cdb(0, 0, 0, 0, 0, 0);
  private static final Sense CAPACITY = Sense.CAPACITY_DATA_HAS_CHANGED;
  private static final Sense RESET = UnitAttention.BUS_DEVICE_RESET_FUNCTION_OCCURRED;

  @Override
  String config() {
    return TestBed.CONFIG + "TARGET_DRIVER probe {\n enabled 1\n TARGET p {\n  enabled 1\n"
        + "  LUN 0 disk0\n  LUN 1 disk1\n }\n}\n";
  }

  /** A second initiator on the same target, seeing the same LUNs. */
  private LocalSession other;

  @BeforeEach
  void second() throws Exception {
    other = bed.driver.login("t1", "iqn.test:other");
  }

  private static Sense ua(int asc, int ascq) {
    return new Sense(SenseKey.UNIT_ATTENTION, asc, ascq);
  }

  private static List<String> codes(List<Sense> queued) {
    return queued.stream().map(s -> Integer.toHexString(s.asc()) + "/"
        + Integer.toHexString(s.ascq())).toList();
  }

  @Test
  void queueReportsByPrecedenceAndHoldsEachConditionOnce() {
    UnitAttention.Queue q = new UnitAttention.Queue();
    assertThat(q.pending()).isFalse();
    assertThat(q.establish(0, UnitAttention.MODE_PARAMETERS_CHANGED)).isTrue();
    assertThat(q.establish(0, CAPACITY)).isTrue();
    assertThat(q.establish(0, ua(0x29, 0x07))).isTrue();
    assertThat(q.establish(0, RESET)).isTrue();
    assertThat(q.establish(0, ua(0x2A, 0x01))).as("a duplicate").isFalse();
    assertThat(q.establish(1, CAPACITY)).as("another LUN has its own queue").isTrue();
    assertThat(codes(q.queued(0))).containsExactly("29/3", "29/7", "2a/1", "2a/9");
    assertThat(q.take(0).ascq()).isEqualTo(0x03);
    assertThat(q.take(0).ascq()).isEqualTo(0x07);
    assertThat(q.take(0).ascq()).isEqualTo(0x01);
    assertThat(q.take(0).ascq()).isEqualTo(0x09);
    assertThat(q.take(0)).isNull();
    assertThat(q.pending()).as("LUN 1's is still there").isTrue();
    assertThat(q.take(1)).isSameAs(CAPACITY);
    assertThat(q.pending()).isFalse();
  }

  @Test
  void aFullQueueKeepsTheConditionsOfHighestPrecedence() {
    UnitAttention.Queue q = new UnitAttention.Queue();
    for (int i = 0; i < UnitAttention.MAX_QUEUED; i++) {
      assertThat(q.establish(0, ua(0x2A, 0x10 + i))).isTrue();
    }
    assertThat(q.establish(0, ua(0x3F, 0x0E))).as("no room for a low one").isFalse();
    assertThat(q.establish(0, ua(0x29, 0x00))).as("a reset displaces the lowest").isTrue();
    List<Sense> queued = q.queued(0);
    assertThat(queued).hasSize(UnitAttention.MAX_QUEUED);
    assertThat(queued.get(0).asc()).isEqualTo(0x29);
    assertThat(queued.get(queued.size() - 1).ascq())
        .isEqualTo(0x10 + UnitAttention.MAX_QUEUED - 2);
    q.clearEverywhere(ua(0x2A, 0x10));
    assertThat(q.queued(0)).hasSize(UnitAttention.MAX_QUEUED - 1);
  }

  @Test
  void aHandlersConditionReachesEveryNexusOfTheDeviceOnceEach() throws Exception {
    bed.handler.configs.get("disk0").unitAttention(0x2A, 0x09);
    for (LocalSession s : List.of(bed.session, other)) {
      assertThat(TestBed.send(s, 3, TEST_UNIT_READY, null, 0).good())
          .as("LUN 3 is another device").isTrue();
      assertSense(TestBed.send(s, 0, TEST_UNIT_READY, null, 0), CAPACITY);
      assertThat(TestBed.send(s, 0, TEST_UNIT_READY, null, 0).good()).as("reported, cleared")
          .isTrue();
    }
  }

  @Test
  void inquiryAndReportLunsRunWithoutClearingIt() throws Exception {
    bed.handler.configs.get("disk0").unitAttention(0x2A, 0x09);
    LocalResult inquiry = bed.send(0, cdb(0x12, 0, 0, 0, 96, 0), null, 96);
    assertThat(inquiry.good()).isTrue();
    assertThat(inquiry.dataIn()[0]).as("a logical unit is there").isEqualTo((byte) 0);
    assertThat(bed.send(0, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), null, 256).good())
        .isTrue();
    assertSense(bed.send(0, TEST_UNIT_READY, null, 0), CAPACITY);
  }

  @Test
  void requestSenseReturnsTheConditionAsDataAndClearsIt() throws Exception {
    bed.handler.configs.get("disk0").unitAttention(0x2A, 0x09);
    LocalResult bad = bed.send(0, cdb(0x03, 0x02, 0, 0, 18, 0), null, 18);
    assertThat(bad.status()).as("a bad CDB").isEqualTo(Status.CHECK_CONDITION);
    assertThat(bad.sense().key()).isEqualTo(SenseKey.ILLEGAL_REQUEST);
    LocalResult sense = bed.send(0, cdb(0x03, 0, 0, 0, 18, 0), null, 18);
    assertThat(sense.good()).isTrue();
    assertThat(sense.dataIn()[2] & 0x0F).isEqualTo(SenseKey.UNIT_ATTENTION.code());
    assertThat(sense.dataIn()[12]).isEqualTo((byte) 0x2A);
    assertThat(sense.dataIn()[13]).isEqualTo((byte) 0x09);
    assertThat(bed.send(0, TEST_UNIT_READY, null, 0).good()).isTrue();
    LocalResult none = bed.send(0, cdb(0x03, 0, 0, 0, 18, 0), null, 18);
    assertThat(none.dataIn()[2] & 0x0F).as("NO SENSE now").isZero();
  }

  @Test
  void reportLunsClearsReportedLunsDataHasChangedOnEveryLunOfItsNexus() throws Exception {
    bed.handler.configs.get("disk0").unitAttention(0x3F, 0x0E);
    bed.handler.configs.get("disk1").unitAttention(0x3F, 0x0E);
    bed.handler.configs.get("disk1").unitAttention(0x2A, 0x09);
    assertThat(bed.send(3, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), null, 256).good())
        .isTrue();
    assertThat(bed.send(0, TEST_UNIT_READY, null, 0).good()).isTrue();
    assertSense(bed.send(3, TEST_UNIT_READY, null, 0), CAPACITY);
    assertSense(TestBed.send(other, 0, TEST_UNIT_READY, null, 0),
        Sense.REPORTED_LUNS_DATA_HAS_CHANGED);
  }

  @Test
  void modeSelectChangingSwpTellsTheOtherNexuses() throws Exception {
    byte[] list = bed.send(0, cdb(0x1A, 0x08, 0x0A, 0, 255, 0), null, 255).dataIn();
    list[0] = 0;
    list[4 + 4] |= 0x08;
    assertThat(bed.send(0, cdb(0x15, 0x10, 0, 0, list.length, 0), list, 0).good()).isTrue();
    assertThat(bed.send(0, TEST_UNIT_READY, null, 0).good()).as("not the one that changed it")
        .isTrue();
    assertSense(TestBed.send(other, 0, TEST_UNIT_READY, null, 0),
        UnitAttention.MODE_PARAMETERS_CHANGED);
    assertThat(bed.send(0, cdb(0x15, 0x10, 0, 0, list.length, 0), list, 0).good()).isTrue();
    assertThat(TestBed.send(other, 0, TEST_UNIT_READY, null, 0).good())
        .as("restating the same value changes nothing").isTrue();
  }

  @Test
  void oneSessionCanBeToldThatItsLunsChanged() throws Exception {
    CoreSession session = probeSession();
    UnitAttention.raise(session, Sense.REPORTED_LUNS_DATA_HAS_CHANGED);
    assertThat(codes(session.attentions.queued(0))).containsExactly("3f/e");
    assertThat(codes(session.attentions.queued(1))).containsExactly("3f/e");
    assertThat(bed.send(0, TEST_UNIT_READY, null, 0).good()).as("other sessions are not told")
        .isTrue();
    UnitAttention.raise(session, session.lun(1).device(), UnitAttention.INQUIRY_DATA_HAS_CHANGED);
    assertThat(codes(session.attentions.queued(0))).containsExactly("3f/e");
    assertThat(codes(session.attentions.queued(1))).containsExactly("3f/e", "3f/3");
    session.close();
  }

  @Test
  void aClosedNexusLeavesItsDevices() throws Exception {
    other.close();
    bed.handler.configs.get("disk0").unitAttention(0x2A, 0x09);
    assertSense(bed.send(0, TEST_UNIT_READY, null, 0), CAPACITY);
    LocalSession again = bed.driver.login("t1", "iqn.test:other");
    assertThat(TestBed.send(again, 0, TEST_UNIT_READY, null, 0).good())
        .as("a new nexus starts without the old one's conditions").isTrue();
  }

  @Test
  void aNexusThatContinuesALostOneHearsOfItOnEveryLun() throws Exception {
    CoreSession s = probeSession();
    s.nexusLost();
    assertThat(codes(s.attentions.queued(0))).containsExactly("29/7");
    assertThat(codes(s.attentions.queued(1))).containsExactly("29/7");
    assertThat(bed.send(0, TEST_UNIT_READY, null, 0).good()).as("another nexus").isTrue();
  }

  /** A session of target p opened through a second driver, probe, as a driver opens one. */
  private CoreSession probeSession() throws Exception {
    ProbeDriver probe = new ProbeDriver("probe");
    bed.engine.addDriver(probe);
    bed.engine.settle();
    return (CoreSession) probe.context.openSession("p", "iqn.test:probe", reason -> { });
  }
}
