package io.karst.core.internal;

import static io.karst.core.internal.TestBed.cdb;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * A physical block larger than the logical one (disk0: 4096 on 512, exponent 3, thin) and one
 * equal to it (disk1: 4096 on 4096), in READ CAPACITY(16) and the Block Limits VPD page.
 */
class PhysicalBlockTest extends BedTest {

  @Override
  String config() {
    return TestBed.CONFIG.replace("size 1M", "size 1M\n        thin 1\n        lbppbe 3");
  }

  private ByteBuffer readCapacity16(long lun) throws Exception {
    return ByteBuffer.wrap(bed.send(lun, cdb(0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0,
        0), null, 32).dataIn());
  }

  private ByteBuffer blockLimits(long lun) throws Exception {
    return ByteBuffer.wrap(bed.send(lun, cdb(0x12, 1, 0xB0, 0, 64, 0), null, 64).dataIn());
  }

  @Test
  void readCapacityReportsTheExponentAlignedAtLbaZero() throws Exception {
    ByteBuffer rc = readCapacity16(0);
    assertThat(rc.get(13) & 0x0F).isEqualTo(3);
    assertThat(rc.getShort(14) & 0x3FFF).as("lowest aligned LBA").isZero();
    assertThat(rc.get(14) & 0xC0).as("LBPME, LBPRZ untouched").isEqualTo(0xC0);
    assertThat(readCapacity16(3).get(13)).isZero();
  }

  @Test
  void granularitiesAreWholePhysicalBlocks() throws Exception {
    ByteBuffer b0 = blockLimits(0);
    assertThat(b0.get(4)).as("WSNZ 0: zero blocks means to the last block").isZero();
    assertThat(b0.getShort(6)).as("optimal transfer length granularity").isEqualTo((short) 8);
    assertThat(b0.getInt(28)).as("optimal unmap granularity").isEqualTo(8);
    assertThat(b0.getInt(32)).as("UGAVALID, alignment 0").isEqualTo(0x8000_0000);
    assertThat(Integer.toUnsignedLong(b0.getInt(20)))
        .as("max unmap LBA count at least a physical block")
        .isGreaterThanOrEqualTo(8);
    ByteBuffer thick4k = blockLimits(3);
    assertThat(thick4k.getShort(6)).isEqualTo((short) 1);
    assertThat(thick4k.getInt(28)).as("no unmap granularity on a thick device").isZero();
  }
}
