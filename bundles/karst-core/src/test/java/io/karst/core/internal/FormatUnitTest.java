package io.karst.core.internal;

import static io.karst.core.internal.TestBed.assertSense;
import static io.karst.core.internal.TestBed.cdb;
import static io.karst.core.internal.TestBed.read10;
import static io.karst.core.internal.TestBed.write10;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.local.LocalResult;
import io.karst.api.scsi.Sense;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** FORMAT UNIT on a thin device (disk0, LUN 0) and a thick, read-only one (disk1, LUN 3). */
class FormatUnitTest extends BedTest {

  @Override
  String config() {
    return TestBed.CONFIG.replace("size 1M", "size 1M\n        thin 1");
  }

  private static byte[] format(int flags) {
    return cdb(0x04, flags, 0, 0, 0, 0);
  }

  @Test
  void aThinDeviceIsDeallocatedWholeAndReadsZeros() throws Exception {
    byte[] data = new byte[1024];
    Arrays.fill(data, (byte) 9);
    assertThat(bed.send(0, write10(100, 2), data, 0).good()).isTrue();
    assertThat(bed.send(0, format(0), null, 0).good()).isTrue();
    assertThat(bed.handler.unmapped).containsExactly("0+" + (1 << 20));
    assertThat(bed.send(0, read10(100, 2), null, 1024).dataIn()).containsOnly(0);
  }

  @Test
  void aParameterListHeaderWithoutDefectsOrPatternIsTaken() throws Exception {
    assertThat(bed.send(0, format(0x10), new byte[4], 0).good()).as("short").isTrue();
    assertThat(bed.send(0, format(0x30), new byte[8], 0).good()).as("long").isTrue();
    byte[] fov = {0, (byte) (0x80 | 0x20 | 0x02), 0, 0};
    assertThat(bed.send(0, format(0x10), fov, 0).good()).as("FOV, DCRT, IMMED").isTrue();
  }

  @Test
  void whatAVirtualMediumCannotDoIsRefusedWithAPointer() throws Exception {
    assertSense(bed.send(0, format(0x40), null, 0), Sense.INVALID_FIELD_IN_CDB);
    LocalResult pattern = bed.send(0, format(0x10), new byte[] {0, (byte) 0x88, 0, 0}, 0);
    assertSense(pattern, Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    assertThat(pattern.sense().senseKeySpecific()).as("byte 1, bit 3")
        .isEqualTo(0x800000 | 0x080000 | 3 << 16 | 1);
    LocalResult noFov = bed.send(0, format(0x10), new byte[] {0, 0x20, 0, 0}, 0);
    assertSense(noFov, Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    LocalResult defects = bed.send(0, format(0x10), new byte[] {0, 0, 0, 8}, 0);
    assertSense(defects, Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    assertThat(defects.sense().senseKeySpecific() & 0xFFFF).isEqualTo(2);
    assertSense(bed.send(0, format(0x30), new byte[4], 0), Sense.PARAMETER_LIST_LENGTH_ERROR);
    assertThat(bed.handler.unmapped).as("nothing formatted").isEmpty();
  }

  @Test
  void aThickDeviceKeepsItsDataAndAReadOnlyLunRefuses() throws Exception {
    assertSense(bed.send(3, format(0), null, 0), Sense.WRITE_PROTECTED);
    try (TestBed thick = new TestBed(dir.resolve("thick"))) {
      byte[] data = new byte[512];
      Arrays.fill(data, (byte) 5);
      assertThat(thick.send(0, write10(7, 1), data, 0).good()).isTrue();
      assertThat(thick.send(0, format(0), null, 0).good()).isTrue();
      assertThat(thick.send(0, read10(7, 1), null, 512).dataIn()).isEqualTo(data);
    }
  }
}
