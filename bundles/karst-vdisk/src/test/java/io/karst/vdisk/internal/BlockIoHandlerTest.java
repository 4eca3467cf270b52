package io.karst.vdisk.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.karst.api.device.BlockBackend;
import io.karst.api.device.DeviceException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vdisk_blockio: O_DIRECT I/O, with aligned and unaligned buffers, off the calling thread. */
class BlockIoHandlerTest {

  @TempDir
  Path dir;
  private final BlockIoHandler handler = new BlockIoHandler();
  private TestConfig config;

  @BeforeEach
  void directIoWorksHere() throws Exception {
    assumeFalse(BackingFile.inMemory(dir), "O_DIRECT wants a disk file system");
  }

  @AfterEach
  void stopThreads() {
    if (config != null) {
      ((ExecutorService) config.ioExecutor()).shutdownNow();
    }
  }

  private BlockBackend open(String... pairs) throws DeviceException {
    config = TestConfig.of(handler.deviceAttributes(), dir, pairs);
    return (BlockBackend) handler.open(config);
  }

  private static byte[] pattern(int length, int seed) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (i * 31 + seed);
    }
    return b;
  }

  /** A direct buffer whose address is deliberately not page aligned. */
  private static ByteBuffer misaligned(int length) {
    return ByteBuffer.allocateDirect(length + 2 * 4096).alignedSlice(4096)
        .position(512).slice().limit(length);
  }

  private static String await(Io io) throws Exception {
    String thread = io.await();
    assertThat(io.calls).hasValue(1);
    return thread;
  }

  @Test
  void writesAndReadsThroughAlignedAndUnalignedBuffersReachTheFile() throws Exception {
    byte[] first = pattern(3 << 20, 1);
    byte[] second = pattern(8192, 2);
    try (BlockBackend b = open("filename", "direct.img", "size", "16M", "create", "1",
        "blocksize", "4096")) {
      assertThat(b.blockSize()).isEqualTo(4096);
      assertThat(b.blockCount()).isEqualTo(4096);
      Io w1 = new Io();
      b.write(4096, ByteBuffer.wrap(first), false, w1);
      assertThat(await(w1)).as("never inline").isNotEqualTo(Thread.currentThread().getName());
      ByteBuffer aligned = ByteBuffer.allocateDirect(8192 + 4096).alignedSlice(4096);
      aligned.put(second).flip();
      Io w2 = new Io();
      b.write(8 << 20, aligned, true, w2);
      await(w2);

      ByteBuffer back = misaligned(first.length);
      Io r1 = new Io();
      b.read(4096, back, r1);
      await(r1);
      byte[] got = new byte[first.length];
      back.flip().get(got);
      assertThat(got).isEqualTo(first);

      ByteBuffer heap = ByteBuffer.allocate(8192);
      Io r2 = new Io();
      b.read(8 << 20, heap, r2);
      await(r2);
      assertThat(heap.array()).isEqualTo(second);
    }
    byte[] file = Files.readAllBytes(dir.resolve("direct.img"));
    assertThat(Arrays.copyOfRange(file, 4096, 4096 + first.length)).isEqualTo(first);
    assertThat(Arrays.copyOfRange(file, 8 << 20, (8 << 20) + 8192)).isEqualTo(second);
  }

  @Test
  void describesItselfAsScstsBlockio() {
    assertThat(handler.name()).isEqualTo("vdisk_blockio");
    assertThat(handler.deviceAttributes()).extracting(d -> d.name()).contains("filename",
        "blocksize", "read_only", "nv_cache", "write_through", "thin_provisioned",
        "lb_per_pb_exp").doesNotContain("o_direct");
    assertThat(BlockIoHandler.LB_PER_PB_EXP.defaultValue()).as("as SCST").isEqualTo("1");
  }

  @Test
  void reportsThePhysicalBlockByDefault() throws Exception {
    try (BlockBackend b = open("filename", "p.img", "size", "1M", "create", "1")) {
      assertThat(b.physicalBlockExponent()).as("a file's page on 512-byte blocks").isEqualTo(3);
    }
    try (BlockBackend b = open("filename", "p.img", "lb_per_pb_exp", "0")) {
      assertThat(b.physicalBlockExponent()).isZero();
    }
  }

  @Test
  void aBlockDevicesPhysicalBlockComesFromSysfs() throws Exception {
    Path device = Path.of("/dev/loop0");
    assumeTrue(Files.isReadable(device) && Files.isWritable(device), "no loop device to open");
    Path queue = Path.of("/sys/block/loop0/queue/physical_block_size");
    int physical = Integer.parseInt(Files.readString(queue).trim());
    try (BlockBackend b = open("filename", device.toString(), "read_only", "1")) {
      assertThat(1 << (b.physicalBlockExponent() + 9)).isEqualTo(Math.max(512, physical));
    } catch (DeviceException e) {
      assumeTrue(false, "loop0 cannot be opened: " + e.getMessage());
    }
  }

  @Test
  void aMissingDeviceIsAClearError() {
    assertThatThrownBy(() -> open("filename", "/dev/karst-no-such-device"))
        .isInstanceOf(DeviceException.class)
        .hasMessageContaining("/dev/karst-no-such-device: no such file");
  }
}
