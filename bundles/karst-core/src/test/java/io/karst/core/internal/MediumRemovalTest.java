package io.karst.core.internal;

import static io.karst.core.internal.TestBed.assertSense;
import static io.karst.core.internal.TestBed.cdb;
import static io.karst.core.internal.TestBed.read10;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.local.LocalResult;
import io.karst.api.local.LocalSession;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.Status;
import org.junit.jupiter.api.Test;

class MediumRemovalTest extends BedTest {

  private static final byte[] TUR = cdb(0, 0, 0, 0, 0, 0);
  private static final byte[] EJECT = cdb(0x1B, 0, 0, 0, 0x02, 0);
  private static final byte[] LOAD = cdb(0x1B, 0, 0, 0, 0x03, 0);
  private static final byte[] PREVENT = cdb(0x1E, 0, 0, 0, 0x01, 0);
  private static final byte[] ALLOW = cdb(0x1E, 0, 0, 0, 0x00, 0);

  @Override
  String config() {
    return TestBed.CONFIG.replaceFirst("size 1M", "size 1M\n removable 1");
  }

  private static LocalResult send(LocalSession s, byte[] c) throws Exception {
    return TestBed.send(s, 0, c, null, c[0] == 0x28 ? 512 : 96);
  }

  @Test
  void inquiryReportsTheRemovableMediumOnlyWhereConfigured() throws Exception {
    assertThat(send(bed.session, cdb(0x12, 0, 0, 0, 96, 0)).dataIn()[1]).isEqualTo((byte) 0x80);
    assertThat(TestBed.send(bed.session, 3, cdb(0x12, 0, 0, 0, 96, 0), null, 96).dataIn()[1])
        .isZero();
    assertThat(TestBed.send(bed.session, 3, EJECT, null, 0).status()).isEqualTo(Status.GOOD);
    assertThat(TestBed.send(bed.session, 3, TUR, null, 0).status())
        .as("a fixed disk has nothing to eject").isEqualTo(Status.GOOD);
  }

  @Test
  void withoutItsMediumTheUnitIsNotReadyUntilLoaded() throws Exception {
    assertThat(send(bed.session, EJECT).status()).isEqualTo(Status.GOOD);
    assertSense(send(bed.session, TUR), Sense.MEDIUM_NOT_PRESENT);
    assertSense(send(bed.session, read10(0, 1)), Sense.MEDIUM_NOT_PRESENT);
    assertThat(send(bed.session, cdb(0x12, 0, 0, 0, 96, 0)).status()).isEqualTo(Status.GOOD);
    assertThat(send(bed.session, EJECT).status()).isEqualTo(Status.GOOD);
    assertThat(send(bed.session, LOAD).status()).isEqualTo(Status.GOOD);
    assertThat(send(bed.session, TUR).status()).isEqualTo(Status.GOOD);
    assertThat(send(bed.session, cdb(0x1B, 0, 0, 0, 0x32, 0)).status())
        .as("a power condition: LOEJ is ignored").isEqualTo(Status.GOOD);
    assertThat(send(bed.session, TUR).status()).isEqualTo(Status.GOOD);
  }

  @Test
  void anyNexusPreventionLocksTheMediumUntilAllowedOrGone() throws Exception {
    LocalSession other = bed.driver.login("t1", "iqn.test:other");
    assertThat(send(other, PREVENT).status()).isEqualTo(Status.GOOD);
    assertSense(send(bed.session, EJECT), Sense.MEDIUM_REMOVAL_PREVENTED);
    assertSense(send(other, LOAD), Sense.MEDIUM_REMOVAL_PREVENTED);
    assertThat(send(bed.session, ALLOW).status()).as("only its own prevention")
        .isEqualTo(Status.GOOD);
    assertSense(send(bed.session, EJECT), Sense.MEDIUM_REMOVAL_PREVENTED);
    other.close();
    assertThat(send(bed.session, EJECT).status()).isEqualTo(Status.GOOD);
    assertThat(send(bed.session, PREVENT).status()).as("prevention without a medium")
        .isEqualTo(Status.GOOD);
    assertSense(send(bed.session, LOAD), Sense.MEDIUM_REMOVAL_PREVENTED);
    assertThat(send(bed.session, ALLOW).status()).isEqualTo(Status.GOOD);
    assertThat(send(bed.session, LOAD).status()).isEqualTo(Status.GOOD);
  }

  @Test
  void obsoletePreventValuesAreRefused() throws Exception {
    assertSense(send(bed.session, cdb(0x1E, 0, 0, 0, 0x02, 0)), Sense.INVALID_FIELD_IN_CDB);
  }
}
