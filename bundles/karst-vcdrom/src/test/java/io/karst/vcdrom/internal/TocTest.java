package io.karst.vcdrom.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.scsi.Sense;
import org.junit.jupiter.api.Test;

class TocTest extends DriveTest {

  private FakeTask toc(int msf, int format, int track, int allocation) throws Exception {
    return exec(0x43, msf << 1, format, 0, 0, 0, track, allocation >> 8, allocation, 0);
  }

  @Test
  void theTocHasTrackOneAtZeroAndTheLeadOutAtTheEndInLba() throws Exception {
    byte[] d = good(toc(0, 0, 0, 100)).data();
    assertThat(d).hasSize(20);
    assertThat(u16(d, 0)).isEqualTo(18);
    assertThat(d[2]).as("first track").isEqualTo((byte) 1);
    assertThat(d[3]).as("last track").isEqualTo((byte) 1);
    assertThat(d[5]).as("ADR 1, data track").isEqualTo((byte) 0x14);
    assertThat(d[6]).isEqualTo((byte) 1);
    assertThat(u32(d, 8)).isZero();
    assertThat(d[14] & 0xFF).isEqualTo(0xAA);
    assertThat(u32(d, 16)).isEqualTo(SECTORS);
  }

  @Test
  void msfAddressesCountTheTwoSecondPregap() throws Exception {
    byte[] d = good(toc(1, 0, 1, 100)).data();
    assertThat(new byte[] {d[9], d[10], d[11]}).containsExactly(0, 2, 0);
    long frames = SECTORS + 150;
    assertThat(new byte[] {d[17], d[18], d[19]})
        .containsExactly((int) (frames / 4500), (int) (frames / 75 % 60), (int) (frames % 75));
  }

  @Test
  void theLeadOutAloneAndOnlyTracksThereAre() throws Exception {
    byte[] d = good(toc(0, 0, 0xAA, 100)).data();
    assertThat(d).hasSize(12);
    assertThat(d[6] & 0xFF).isEqualTo(0xAA);
    assertSense(toc(0, 0, 2, 100), Sense.INVALID_FIELD_IN_CDB);
  }

  @Test
  void sessionInformationNamesTrackOneOfSessionOne() throws Exception {
    byte[] d = good(toc(0, 1, 0, 100)).data();
    assertThat(d).containsExactly(0, 10, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0);
  }

  @Test
  void theFullTocHasPointsA0A1A2AndTrackOne() throws Exception {
    byte[] d = good(toc(1, 2, 1, 100)).data();
    assertThat(u16(d, 0)).isEqualTo(46);
    assertThat(d[3 + 4] & 0xFF).isEqualTo(0xA0);
    assertThat(d[8 + 4]).as("first track").isEqualTo((byte) 1);
    assertThat(d[14 + 4] & 0xFF).isEqualTo(0xA1);
    assertThat(d[25 + 4] & 0xFF).isEqualTo(0xA2);
    long frames = SECTORS + 150;
    assertThat(new byte[] {d[30 + 4], d[31 + 4], d[32 + 4]})
        .containsExactly((int) (frames / 4500), (int) (frames / 75 % 60), (int) (frames % 75));
    assertThat(d[36 + 4]).isEqualTo((byte) 1);
    assertSense(toc(1, 2, 2, 100), Sense.INVALID_FIELD_IN_CDB);
  }

  @Test
  void theAllocationLengthCutsAndOtherFormatsAreRefused() throws Exception {
    assertThat(good(toc(0, 0, 0, 4)).data()).containsExactly(0, 18, 1, 1);
    assertSense(toc(0, 3, 0, 100), Sense.INVALID_FIELD_IN_CDB);
    assertSense(toc(0, 5, 0, 100), Sense.INVALID_FIELD_IN_CDB);
    byte[] legacy = cdb(0x43, 0, 0, 0, 0, 0, 0, 0, 100, 0x40);
    assertThat(good(exec(legacy, null)).data()).as("format in the control byte (SFF-8020)")
        .hasSize(12);
  }

  @Test
  void discAndTrackInformationDescribeOneFinalizedSession() throws Exception {
    byte[] d = good(exec(0x51, 0, 0, 0, 0, 0, 0, 0, 34, 0)).data();
    assertThat(u16(d, 0)).isEqualTo(32);
    assertThat(d[2]).as("complete session, finalized disc").isEqualTo((byte) 0x0E);
    assertThat(new byte[] {d[3], d[4], d[5], d[6]}).containsExactly(1, 1, 1, 1);
    assertSense(exec(0x51, 1, 0, 0, 0, 0, 0, 0, 34, 0), Sense.INVALID_FIELD_IN_CDB);
    byte[] t = good(exec(0x52, 1, 0, 0, 0, 1, 0, 0, 48, 0)).data();
    assertThat(t[2]).isEqualTo((byte) 1);
    assertThat(u32(t, 24)).as("track size").isEqualTo(SECTORS);
    good(exec(0x52, 0, 0, 0, 0, 10, 0, 0, 48, 0));
    assertSense(exec(0x52, 0, 0, 0, 0x01, 0x2C, 0, 0, 48, 0), Sense.INVALID_FIELD_IN_CDB);
    assertSense(exec(0x52, 1, 0, 0, 0, 2, 0, 0, 48, 0), Sense.INVALID_FIELD_IN_CDB);
  }
}
