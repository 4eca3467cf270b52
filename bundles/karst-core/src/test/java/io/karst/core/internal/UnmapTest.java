package io.karst.core.internal;

import static io.karst.core.internal.TestBed.assertSense;
import static io.karst.core.internal.TestBed.cdb;
import static io.karst.core.internal.TestBed.read10;
import static io.karst.core.internal.TestBed.write10;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.local.LocalResult;
import io.karst.api.scsi.Sense;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Logical block provisioning on a thin device (disk0 with thin 1) and a thick one (disk1). */
class UnmapTest extends BedTest {

  @Override
  String config() {
    return TestBed.CONFIG.replace("size 1M", "size 1M\n        thin 1");
  }

  private static byte[] parameters(long... lbaAndCount) {
    ByteBuffer b = ByteBuffer.allocate(8 + 8 * lbaAndCount.length);
    b.putShort((short) (b.capacity() - 2)).putShort((short) (8 * lbaAndCount.length));
    b.putInt(0);
    for (int i = 0; i < lbaAndCount.length; i += 2) {
      b.putLong(lbaAndCount[i]).putInt((int) lbaAndCount[i + 1]).putInt(0);
    }
    return b.array();
  }

  private static byte[] unmap(int length) {
    return cdb(0x42, 0, 0, 0, 0, 0, 0, length >> 8, length, 0);
  }

  @Test
  void unmapDeallocatesAndTheBlocksReadAsZeros() throws Exception {
    byte[] data = new byte[2048];
    Arrays.fill(data, (byte) 7);
    bed.send(0, write10(10, 4), data, 0);
    byte[] list = parameters(10, 2, 13, 1);
    assertThat(bed.send(0, unmap(list.length), list, 0).good()).isTrue();
    assertThat(bed.handler.unmapped).containsExactly(10 * 512 + "+" + 1024, 13 * 512 + "+512");
    byte[] back = bed.send(0, read10(10, 4), null, 2048).dataIn();
    assertThat(Arrays.copyOfRange(back, 0, 1024)).containsOnly(0);
    assertThat(back[1024]).isEqualTo((byte) 7);
    assertThat(Arrays.copyOfRange(back, 1536, 2048)).containsOnly(0);
  }

  @Test
  void unmapChecksItsParameters() throws Exception {
    byte[] outside = parameters(2047, 2);
    assertSense(bed.send(0, unmap(outside.length), outside, 0), Sense.LBA_OUT_OF_RANGE);
    assertSense(bed.send(0, unmap(4), new byte[4], 0), Sense.PARAMETER_LIST_LENGTH_ERROR);
    assertThat(bed.send(0, unmap(0), null, 0).good()).isTrue();
    byte[] anchor = unmap(24);
    anchor[1] = 1;
    assertSense(bed.send(0, anchor, parameters(0, 1), 0), Sense.INVALID_FIELD_IN_CDB);
  }

  @Test
  void thinDevicesSayTheyAreThin() throws Exception {
    byte[] rc16 = new byte[16];
    rc16[0] = (byte) 0x9E;
    rc16[1] = 0x10;
    rc16[13] = 32;
    assertThat(bed.send(0, rc16, null, 32).dataIn()[14] & 0xC0).isEqualTo(0xC0);
    LocalResult b2 = bed.send(0, cdb(0x12, 1, 0xB2, 0, 64, 0), null, 64);
    assertThat(b2.dataIn()[5] & 0xE4).isEqualTo(0xE4);
    assertThat(b2.dataIn()[6]).isEqualTo((byte) 2);
    byte[] limits = bed.send(0, cdb(0x12, 1, 0xB0, 0, 64, 0), null, 64).dataIn();
    assertThat(ByteBuffer.wrap(limits).getInt(24)).isEqualTo(Unmap.MAX_DESCRIPTORS);

    var thick = bed.driver.login("t1", "iqn.special:x");
    assertThat(TestBed.send(thick, 0, rc16, null, 32).dataIn()[14]).isZero();
    assertSense(TestBed.send(thick, 0, cdb(0x12, 1, 0xB2, 0, 64, 0), null, 64),
        Sense.INVALID_FIELD_IN_CDB);
    assertSense(TestBed.send(thick, 0, unmap(24), parameters(0, 1), 0),
        Sense.INVALID_COMMAND_OPERATION_CODE);
    thick.close();
  }

  @Test
  void writeSameWithUnmapOfZeroBlocksDeallocatesToTheLastBlock() throws Exception {
    byte[] ndob = cdb(0x93, 0x09, 0, 0, 0, 0, 0, 0, 0x07, 0xF8, 0, 0, 0, 0, 0, 0);
    assertThat(bed.send(0, ndob, null, 0).good()).isTrue();
    assertThat(bed.handler.unmapped).containsExactly(2040 * 512 + "+" + 8 * 512);
  }

  @Test
  void writeSameWithUnmapDeallocatesWhateverTheBlockHolds() throws Exception {
    byte[] ws16 = cdb(0x93, 0x08, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0, 8, 0, 0);
    assertThat(bed.send(0, ws16, new byte[512], 0).good()).isTrue();
    assertThat(bed.handler.unmapped).containsExactly(40 * 512 + "+" + 8 * 512);
    byte[] ones = new byte[512];
    Arrays.fill(ones, (byte) 1);
    bed.send(0, write10(47, 1), ones, 0);
    assertThat(bed.send(0, ws16, ones, 0).good()).isTrue();
    assertThat(bed.handler.unmapped).hasSize(2);
    assertThat(bed.send(0, read10(47, 1), null, 512).dataIn()).as("LBPRZ").containsOnly(0);
  }
}
