package io.karst.core.internal;

import static io.karst.core.internal.TestBed.cdb;
import static io.karst.core.internal.TestBed.write10;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GET LBA STATUS on a thin disk0 that tells its allocation, and on the thick disk1. */
class LbaStatusTest extends BedTest {

  @Override
  String config() {
    return TestBed.CONFIG.replace("size 1M", "size 1M\n        thin 1");
  }

  /** The descriptors answered as "lba+blocks:status". */
  private List<String> status(long lun, long lba, int allocation) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(bed.send(lun, cdb(0x9E, 0x12, 0, 0, 0, 0, 0, 0,
        (int) (lba >> 8), (int) lba, allocation >> 24, allocation >> 16, allocation >> 8,
        allocation, 0, 0), null, allocation).dataIn());
    assertThat(b.getInt(0) % 16).as("parameter data length").isEqualTo(4);
    List<String> out = new ArrayList<>();
    for (int at = 8; at + 16 <= b.limit(); at += 16) {
      out.add(b.getLong(at) + "+" + Integer.toUnsignedLong(b.getInt(at + 8)) + ":"
          + b.get(at + 12));
    }
    return out;
  }

  @Test
  void aThinUnitReportsItsMappedAndDeallocatedExtents() throws Exception {
    assertThat(status(0, 0, 64)).containsExactly("0+2048:1");
    bed.send(0, write10(10, 3), new byte[3 * 512], 0);
    assertThat(status(0, 0, 64)).containsExactly("0+10:1", "10+3:0", "13+2035:1");
    assertThat(status(0, 11, 64)).containsExactly("11+2:0", "13+2035:1");
    assertThat(status(0, 0, 40)).as("as many as the allocation length holds")
        .containsExactly("0+10:1", "10+3:0");
  }

  @Test
  void theExtentsAreFoundOnTheDeviceIoThreadsNotTheCallers() throws Exception {
    bed.send(0, write10(10, 3), new byte[3 * 512], 0);
    bed.handler.seekers.clear();
    assertThat(status(0, 0, 64)).hasSize(3);
    // Finding extents seeks the backing file: the memory backend answers inline, so only the
    // hop keeps those system calls off the thread that delivered the command.
    assertThat(bed.handler.seekers).isNotEmpty()
        .allSatisfy(t -> assertThat(t).startsWith("karst-disk0-io-"));
  }

  @Test
  void aThickUnitIsMappedOrUnknown() throws Exception {
    assertThat(status(3, 5, 64)).containsExactly("5+11:0");
  }
}
