package io.karst.core.internal;

import static io.karst.core.internal.TestBed.assertSense;
import static io.karst.core.internal.TestBed.cdb;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.scsi.Sense;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** LOG SENSE on a thin device (LUN 0, disk0 with thin 1) and a thick one (LUN 3). */
class LogSenseTest extends BedTest {

  @Override
  String config() {
    return TestBed.CONFIG.replace("size 1M", "size 1M\n        thin 1");
  }

  private static byte[] logSense(int page, int subpage, int pointer) {
    return cdb(0x4D, 0, 0x40 | page, subpage, 0, pointer >> 8, pointer, 1, 0, 0);
  }

  @Test
  void supportedPagesFollowTheProvisioning() throws Exception {
    assertThat(bed.send(0, logSense(0, 0, 0), null, 256).dataIn())
        .containsExactly(0x80, 0, 0, 3, 0x00, 0x0C, 0x2F);
    assertThat(bed.send(3, logSense(0, 0, 0), null, 256).dataIn())
        .containsExactly(0x80, 0, 0, 2, 0x00, 0x2F);
    assertThat(bed.send(0, logSense(0, 0xFF, 0), null, 256).dataIn())
        .containsExactly(0xC0, 0xFF, 0, 8, 0, 0, 0, 0xFF, 0x0C, 0, 0x2F, 0);
  }

  @Test
  void provisioningPageCountsWhatIsLeftInThresholdSets() throws Exception {
    ByteBuffer b = ByteBuffer.wrap(bed.send(0, logSense(0x0C, 0, 0), null, 256).dataIn());
    assertThat(b.get(0) & 0x3F).isEqualTo(0x0C);
    assertThat(b.getShort(2)).isEqualTo((short) 12);
    assertThat(b.getShort(4)).as("available LBA mapping resource count").isEqualTo((short) 1);
    assertThat(b.getInt(8)).as("5 MiB in sets of 1 MiB").isEqualTo(5);
    assertThat(b.get(12) & 0x03).as("scope: not dedicated").isEqualTo(2);
    byte[] b2 = bed.send(0, cdb(0x12, 1, 0xB2, 0, 64, 0), null, 64).dataIn();
    assertThat(b2[4]).as("threshold exponent: 2^11 blocks of 512 bytes").isEqualTo((byte) 11);
    assertSense(bed.send(3, logSense(0x0C, 0, 0), null, 256), Sense.INVALID_FIELD_IN_CDB);
    assertSense(bed.send(0, logSense(0x0C, 0, 2), null, 256), Sense.INVALID_FIELD_IN_CDB);
  }

  @Test
  void informationalExceptionsPageReportsNoException() throws Exception {
    byte[] d = bed.send(3, logSense(0x2F, 0, 0), null, 256).dataIn();
    assertThat(d).containsExactly(0xAF, 0, 0, 7, 0, 0, 0x03, 0x03, 0, 0, 0xFF);
  }

  @Test
  void savingAndUnknownPagesAreRefused() throws Exception {
    byte[] save = logSense(0x2F, 0, 0);
    save[1] = 1;
    assertSense(bed.send(0, save, null, 256), Sense.INVALID_FIELD_IN_CDB);
    assertSense(bed.send(0, logSense(0x0D, 0, 0), null, 256), Sense.INVALID_FIELD_IN_CDB);
    assertSense(bed.send(0, logSense(0x2F, 1, 0), null, 256), Sense.INVALID_FIELD_IN_CDB);
  }
}
