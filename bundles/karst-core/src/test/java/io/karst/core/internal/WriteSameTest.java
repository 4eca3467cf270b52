package io.karst.core.internal;

import static io.karst.core.internal.TestBed.assertSense;
import static io.karst.core.internal.TestBed.cdb;
import static io.karst.core.internal.TestBed.read10;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.local.LocalResult;
import io.karst.api.scsi.Sense;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * WRITE SAME's NUMBER OF LOGICAL BLOCKS of zero (to the last block, WSNZ 0) and its Data-Out of
 * exactly one block, on disk0 grown past {@link WriteSame#MAX_BLOCKS} blocks (40 MiB).
 */
class WriteSameTest extends BedTest {

  private static final long BLOCKS = (40L << 20) / 512;

  @Override
  String config() {
    return TestBed.CONFIG.replace("size 1M", "size 40M");
  }

  private static byte[] ws10(long lba, int blocks) {
    return ByteBuffer.allocate(10).put((byte) 0x41).put((byte) 0).putInt((int) lba)
        .put((byte) 0).putShort((short) blocks).put((byte) 0).array();
  }

  private static byte[] ws16(long lba, int blocks) {
    return ByteBuffer.allocate(16).put((byte) 0x93).put((byte) 0).putLong(lba).putInt(blocks)
        .putShort((short) 0).array();
  }

  private static byte[] ones() {
    byte[] b = new byte[512];
    Arrays.fill(b, (byte) 0xA6);
    return b;
  }

  @Test
  void zeroBlocksWritesFromTheLbaToTheLastBlock() throws Exception {
    long from = BLOCKS - 100;
    assertThat(bed.send(0, ws10(from, 0), ones(), 0).good()).isTrue();
    byte[] medium = bed.handler.media.get("disk0");
    assertThat(Arrays.copyOfRange(medium, (int) from * 512, medium.length)).containsOnly(0xA6);
    assertThat(medium[(int) from * 512 - 1]).as("the block before the LBA").isZero();

    assertThat(bed.send(0, ws16(BLOCKS - 1, 0), new byte[512], 0).good()).isTrue();
    assertThat(bed.send(0, read10(BLOCKS - 2, 2), null, 1024).dataIn())
        .containsSequence(ones()).endsWith(new byte[512]);
  }

  @Test
  void zeroBlocksBeyondTheMaximumWriteSameLengthIsAnInvalidField() throws Exception {
    LocalResult tooMany = bed.send(0, ws16(BLOCKS - WriteSame.MAX_BLOCKS - 1, 0), ones(), 0);
    assertSense(tooMany, Sense.INVALID_FIELD_IN_CDB);
    assertThat(tooMany.sense().senseKeySpecific()).as("NUMBER OF LOGICAL BLOCKS")
        .isEqualTo(0xC0000A);
    assertSense(bed.send(0, ws10(0, 0), ones(), 0), Sense.INVALID_FIELD_IN_CDB);
    assertThat(bed.handler.media.get("disk0")).as("nothing written").containsOnly(0);
    assertThat(bed.send(0, ws16(BLOCKS - WriteSame.MAX_BLOCKS, 0), ones(), 0).good())
        .isTrue();
  }

  @Test
  void zeroBlocksAtOrPastTheEndIsOutOfRange() throws Exception {
    for (long lba : new long[] {BLOCKS, BLOCKS + 1, 0x8000_0000L, 0xFFFF_FFFFL}) {
      assertSense(bed.send(0, ws10(lba, 0), ones(), 0), Sense.LBA_OUT_OF_RANGE);
    }
    assertSense(bed.send(0, ws16(-1, 0), ones(), 0), Sense.LBA_OUT_OF_RANGE);
  }

  @Test
  void dataOutOtherThanOneBlockIsRefusedUnwritten() throws Exception {
    assertSense(bed.send(0, ws10(8, 1), new byte[256], 0), Sense.INVALID_FIELD_IN_CDB);
    byte[] two = new byte[1024];
    Arrays.fill(two, (byte) 1);
    assertSense(bed.send(0, ws10(8, 1), two, 0), Sense.INVALID_FIELD_IN_CDB);
    assertThat(bed.send(0, read10(8, 1), null, 512).dataIn()).containsOnly(0);
  }
}
