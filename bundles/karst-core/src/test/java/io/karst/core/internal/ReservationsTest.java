package io.karst.core.internal;

import static io.karst.core.internal.TestBed.cdb;
import static io.karst.core.internal.TestBed.read10;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.local.LocalSession;
import io.karst.api.scsi.Status;
import org.junit.jupiter.api.Test;

class ReservationsTest extends BedTest {

  private static final byte[] RESERVE = cdb(0x16, 0, 0, 0, 0, 0);
  private static final byte[] RELEASE = cdb(0x17, 0, 0, 0, 0, 0);
  private static final byte[] TUR = cdb(0, 0, 0, 0, 0, 0);

  private Status status(LocalSession s, byte[] c) throws Exception {
    return TestBed.send(s, 0, c, null, c[0] == 0x28 ? 512 : 64).status();
  }

  @Test
  void aReservationKeepsOtherNexusesOutUntilReleased() throws Exception {
    LocalSession other = bed.driver.login("t1", "iqn.test:other");
    assertThat(status(bed.session, RESERVE)).isEqualTo(Status.GOOD);
    assertThat(status(bed.session, RESERVE)).as("the holder may reserve again")
        .isEqualTo(Status.GOOD);
    assertThat(status(other, TUR)).isEqualTo(Status.RESERVATION_CONFLICT);
    assertThat(status(other, read10(0, 1))).isEqualTo(Status.RESERVATION_CONFLICT);
    assertThat(status(other, RESERVE)).isEqualTo(Status.RESERVATION_CONFLICT);
    assertThat(status(other, cdb(0x12, 0, 0, 0, 36, 0))).isEqualTo(Status.GOOD);
    assertThat(status(other, RELEASE)).as("a stranger's release does nothing")
        .isEqualTo(Status.GOOD);
    assertThat(status(other, TUR)).isEqualTo(Status.RESERVATION_CONFLICT);
    assertThat(status(bed.session, read10(0, 1))).isEqualTo(Status.GOOD);
    assertThat(status(bed.session, RELEASE)).isEqualTo(Status.GOOD);
    assertThat(status(other, TUR)).isEqualTo(Status.GOOD);
    other.close();
  }

  @Test
  void theReservationEndsWithTheNexus() throws Exception {
    LocalSession holder = bed.driver.login("t1", "iqn.test:holder");
    assertThat(status(holder, cdb(0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0))).isEqualTo(Status.GOOD);
    assertThat(status(bed.session, TUR)).isEqualTo(Status.RESERVATION_CONFLICT);
    holder.close();
    assertThat(status(bed.session, TUR)).isEqualTo(Status.GOOD);
  }

  @Test
  void thirdPartyReservationsAreRefused() throws Exception {
    assertThat(status(bed.session, cdb(0x56, 0x10, 0, 0, 0, 0, 0, 0, 0, 0)))
        .isEqualTo(Status.CHECK_CONDITION);
  }
}
