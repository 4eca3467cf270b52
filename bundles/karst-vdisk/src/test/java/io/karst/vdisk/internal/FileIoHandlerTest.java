package io.karst.vdisk.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.karst.api.device.BlockBackend;
import io.karst.api.device.DeviceException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileIoHandlerTest {

  @TempDir
  Path dir;
  private final FileIoHandler handler = new FileIoHandler();

  private BlockBackend open(String... pairs) throws DeviceException {
    return (BlockBackend) handler.open(TestConfig.of(handler.deviceAttributes(), dir, pairs));
  }

  static byte[] filled(int length, int value) {
    byte[] b = new byte[length];
    Arrays.fill(b, (byte) value);
    return b;
  }

  /** Writes and waits; returns the name of the thread that completed. */
  static String write(BlockBackend b, long offset, byte[] data, boolean fua)
      throws Exception {
    Io w = new Io();
    b.write(offset, ByteBuffer.wrap(data), fua, w);
    String thread = w.await();
    assertThat(w.calls).hasValue(1);
    return thread;
  }

  static byte[] read(BlockBackend b, long offset, int length) throws Exception {
    ByteBuffer in = ByteBuffer.allocateDirect(length);
    Io r = new Io();
    b.read(offset, in, r);
    r.await();
    assertThat(r.calls).hasValue(1);
    assertThat(in.hasRemaining()).as("a read fills the buffer").isFalse();
    byte[] got = new byte[length];
    in.flip().get(got);
    return got;
  }

  /** Bytes the file system has allocated to a file, from stat(1). */
  private static long allocated(Path file) throws IOException {
    Process stat = new ProcessBuilder("stat", "-c", "%b*%B", file.toString()).start();
    String[] blocks = new String(stat.getInputStream().readAllBytes()).trim().split("\\*");
    assumeTrue(blocks.length == 2, "stat(1) reports no allocation");
    return Long.parseLong(blocks[0]) * Long.parseLong(blocks[1]);
  }

  @Test
  void describesScstAttributes() {
    assertThat(handler.deviceAttributes()).extracting(d -> d.name()).containsExactly(
        "filename", "size", "create", "blocksize", "read_only", "nv_cache", "write_through",
        "o_direct", "rotational", "thin_provisioned", "lb_per_pb_exp");
    assertThat(FileIoHandler.FILENAME.required()).isTrue();
    assertThat(FileIoHandler.THIN_PROVISIONED.defaultValue()).as("UNMAP only on request")
        .isEqualTo("0");
  }

  @Test
  void lbPerPbExpReportsAPageAsAFilesPhysicalBlock() throws Exception {
    for (String[] c : new String[][] {{"512", "3"}, {"1024", "2"}, {"4096", "0"}}) {
      try (BlockBackend b = open("filename", "p" + c[0] + ".img", "size", "1M", "create", "1",
          "blocksize", c[0], "lb_per_pb_exp", "1")) {
        assertThat(b.physicalBlockExponent()).as("blocksize " + c[0])
            .isEqualTo(Integer.parseInt(c[1]));
      }
    }
  }

  @Test
  void createsASparseFileOfTheGivenSize() throws Exception {
    try (BlockBackend b = open("filename", "d.img", "size", "1G", "create", "1")) {
      assertThat(b.blockCount()).isEqualTo((1L << 30) / 512);
      assertThat(b.blockSize()).isEqualTo(512);
      assertThat(b.readOnly()).isFalse();
      assertThat(b.writeCacheEnabled()).isTrue();
      assertThat(b.rotational()).isFalse();
      assertThat(b.physicalBlockExponent()).as("lb_per_pb_exp 0 by default").isZero();
    }
    Path file = dir.resolve("d.img");
    assertThat(Files.size(file)).isEqualTo(1L << 30);
    assertThat(allocated(file)).as("bytes allocated to a sparse 1 GiB file")
        .isLessThan(1 << 20);
  }

  @Test
  void dataSurvivesReopeningAndIoRunsOnTheDeviceThreads() throws Exception {
    assumeFalse(BackingFile.inMemory(dir), "the temporary directory is in memory");
    byte[] data = filled(4096, 0x3C);
    try (BlockBackend b = open("filename", "d.img", "size", "1M", "create", "1")) {
      assertThat(write(b, 8192, data, false)).isEqualTo("test-io");
      assertThat(write(b, 1 << 19, data, true)).as("FUA").isEqualTo("test-io");
    }
    try (BlockBackend b = open("filename", "d.img", "size", "1M", "create", "1")) {
      assertThat(read(b, 8192, 4096)).isEqualTo(data);
      assertThat(read(b, 1 << 19, 4096)).isEqualTo(data);
      assertThat(read(b, 0, 8192)).containsOnly(0);
      Io f = new Io();
      b.flush(f);
      assertThat(f.await()).isEqualTo("test-io");
    }
    assertThat(Files.size(dir.resolve("d.img"))).isEqualTo(1 << 20);
  }

  @Test
  void aFileInMemoryIsServedOnTheCallingThread() throws Exception {
    Path shm = Path.of("/dev/shm");
    assumeTrue(Files.isDirectory(shm) && BackingFile.inMemory(shm), "no tmpfs at /dev/shm");
    Path file = Files.createTempFile(shm, "karst-test", ".img");
    try (BlockBackend b = open("filename", file.toString(), "size", "64K", "create", "1")) {
      assertThat(write(b, 0, new byte[4096], false)).isEqualTo(Thread.currentThread().getName());
    } finally {
      Files.delete(file);
    }
  }

  @Test
  void aSmallerSizeExposesPartOfTheFileInWholeBlocks() throws Exception {
    Files.write(dir.resolve("big.img"), filled(64 << 10, 7));
    try (BlockBackend b = open("filename", "big.img", "size", "5000")) {
      assertThat(b.blockCount()).isEqualTo(9);
    }
    try (BlockBackend b = open("filename", "big.img", "blocksize", "4096")) {
      assertThat(b.blockCount()).isEqualTo(16);
      assertThat(b.blockSize()).isEqualTo(4096);
    }
    assertThat(Files.readAllBytes(dir.resolve("big.img"))).hasSize(64 << 10).containsOnly(7);
  }

  @Test
  void readsPastTheEndOfAShortFileReturnZeros() throws Exception {
    Files.write(dir.resolve("short.img"), new byte[1024]);
    try (BlockBackend b = open("filename", "short.img")) {
      assertThat(b.blockCount()).isEqualTo(2);
    }
    Path file = dir.resolve("grow.img");
    Files.write(file, filled(512, 5));
    try (BlockBackend b = open("filename", "grow.img", "size", "4K", "create", "1")) {
      byte[] got = read(b, 0, 4096);
      assertThat(Arrays.copyOf(got, 512)).as("the data that was there").containsOnly(5);
      assertThat(Arrays.copyOfRange(got, 512, 4096)).containsOnly(0);
      // The file shrinks behind the device's back: what is gone reads as zeros.
      Files.write(file, filled(512, 5));
      assertThat(read(b, 0, 4096)).containsOnly(0, 5);
      assertThat(read(b, 1024, 1024)).containsOnly(0);
    }
  }

  @Test
  void aMissingFileIsAClearError() {
    assertThatThrownBy(() -> open("filename", "nope.img"))
        .isInstanceOf(DeviceException.class)
        .hasMessageContaining(dir.resolve("nope.img")
            + ": no such file (set create 1 to create it)");
    assertThatThrownBy(() -> open("filename", "nope.img", "create", "1"))
        .isInstanceOf(DeviceException.class).hasMessageContaining("size is needed");
    assertThat(dir.resolve("nope.img")).doesNotExist();
  }

  @Test
  void aFileThatCannotBeOpenedIsAClearError() throws Exception {
    // Sysfs refuses writing its read-only files even to root, as a file system would refuse
    // an unwritable file to anyone else.
    Path unwritable = Path.of("/sys/kernel/notes");
    assumeTrue(Files.exists(unwritable), "no sysfs");
    assertThatThrownBy(() -> open("filename", unwritable.toString()))
        .isInstanceOf(DeviceException.class)
        .hasMessage("disk0: " + unwritable + ": permission denied (opened for reading and writing; "
            + "read_only 1 opens it for reading only)");
    assertThat(BackingFile.reason(new java.nio.file.NoSuchFileException("/x")))
        .isEqualTo("no such file or directory");
    assertThat(BackingFile.reason(new java.nio.file.FileSystemException("/x", null,
        "Read-only file system"))).isEqualTo("Read-only file system");
  }

  @Test
  void badGeometryIsRefused() throws Exception {
    assertThatThrownBy(() -> open("filename", "d.img", "size", "1M", "create", "1",
        "blocksize", "1000")).isInstanceOf(DeviceException.class)
        .hasMessageContaining("blocksize 1000");
    Path small = dir.resolve("small.img");
    Files.write(small, filled(512, 1));
    assertThatThrownBy(() -> open("filename", "small.img", "size", "1M"))
        .isInstanceOf(DeviceException.class).hasMessageContaining("is larger than");
    assertThatThrownBy(() -> open("filename", "small.img", "blocksize", "4096"))
        .isInstanceOf(DeviceException.class).hasMessageContaining("hold no 4096-byte block");
    assertThat(Files.readAllBytes(small)).as("refusing leaves the file alone").hasSize(512);
  }

  @Test
  void readOnlyDevicesRefuseWrites() throws Exception {
    Files.write(dir.resolve("ro.img"), filled(4096, 2));
    try (BlockBackend b = open("filename", "ro.img", "read_only", "1")) {
      assertThat(b.readOnly()).isTrue();
      Io w = new Io();
      b.write(0, ByteBuffer.allocate(512), false, w);
      assertThatThrownBy(w::await).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(NonWritableChannelException.class);
      assertThat(w.calls).hasValue(1);
      assertThat(read(b, 0, 512)).containsOnly(2);
    }
  }

  @Test
  void writeThroughAndNvCacheReportNoWriteCacheAndFlushInline() throws Exception {
    for (String attribute : new String[] {"write_through", "nv_cache"}) {
      try (BlockBackend b = open("filename", "d.img", "size", "1M", "create", "1",
          attribute, "1")) {
        assertThat(b.writeCacheEnabled()).as(attribute).isFalse();
        write(b, 0, filled(512, 9), true);
        Io f = new Io();
        b.flush(f);
        assertThat(f.await()).as(attribute).isEqualTo(Thread.currentThread().getName());
        assertThat(read(b, 0, 512)).containsOnly(9);
      }
    }
  }

  @Test
  void unmapZerosDataAndLeavesHolesUnallocated() throws Exception {
    Path file = dir.resolve("thin.img");
    try (BlockBackend b = open("filename", "thin.img", "size", "64M", "create", "1",
        "rotational", "1", "thin_provisioned", "1")) {
      assertThat(b.supportsUnmap()).isTrue();
      assertThat(b.rotational()).isTrue();
      write(b, 4096, filled(8192, 0x55), false);
      write(b, 3 << 20, filled(512, 0x66), false);
      Io u = new Io();
      b.unmap(4096 + 512, (64L << 20) - 4096 - 512 - 512, u);
      u.await();
      assertThat(u.calls).hasValue(1);
      assertThat(read(b, 4096, 512)).as("before the range").containsOnly(0x55);
      assertThat(read(b, 4096 + 512, 8192 - 512)).containsOnly(0);
      assertThat(read(b, 3 << 20, 512)).containsOnly(0);
    }
    assertThat(allocated(file)).as("a 64 MiB unmap over holes allocates nothing")
        .isLessThan(1 << 20);
    try (BlockBackend b = open("filename", "thin.img", "thin_provisioned", "0")) {
      assertThat(b.supportsUnmap()).isFalse();
    }
  }

  @Test
  void unmapGivesWrittenSpaceBackByPunchingAHole() throws Exception {
    assumeTrue(System.getProperty("os.name").equals("Linux"), "fallocate is Linux's");
    Path file = dir.resolve("punch.img");
    try (BlockBackend b = open("filename", "punch.img", "size", "16M", "create", "1",
        "thin_provisioned", "1")) {
      for (long at = 0; at < 8 << 20; at += 1 << 20) {
        write(b, at, filled(1 << 20, 0x77), true);
      }
      assertThat(allocated(file)).isGreaterThanOrEqualTo(8 << 20);
      Io u = new Io();
      b.unmap(1 << 20, 6 << 20, u);
      u.await();
      assertThat(read(b, (1 << 20) - 512, 512)).containsOnly(0x77);
      assertThat(read(b, 1 << 20, 6 << 20)).containsOnly(0);
      assertThat(read(b, 7 << 20, 512)).containsOnly(0x77);
    }
    assertThat(allocated(file)).as("the 6 MiB unmapped went back to the file system")
        .isLessThan(3 << 20);
    assertThat(java.nio.file.Files.size(file)).as("the length stays").isEqualTo(16 << 20);
  }

  @Test
  void aThinFileTellsWhereItsDataIs() throws Exception {
    assumeTrue(System.getProperty("os.name").equals("Linux"), "lseek SEEK_DATA is Linux's");
    try (BlockBackend b = open("filename", "seek.img", "size", "16M", "create", "1",
        "thin_provisioned", "1")) {
      long end = 16 << 20;
      assertThat(b.findAllocation(0, true)).as("a new file holds no data").isEqualTo(end);
      write(b, 4 << 20, filled(1 << 20, 0x11), true);
      assertThat(b.findAllocation(0, true)).isEqualTo(4 << 20);
      assertThat(b.findAllocation(4 << 20, false)).isEqualTo(5 << 20);
      assertThat(b.findAllocation(5 << 20, true)).isEqualTo(end);
      Io u = new Io();
      b.unmap(0, end, u);
      u.await();
      assertThat(b.findAllocation(0, true)).as("all deallocated").isEqualTo(end);
      assertThat(b.findAllocation(0, false)).isZero();
    }
    try (BlockBackend b = open("filename", "seek.img", "thin_provisioned", "0")) {
      assertThat(b.findAllocation(0, true)).as("a thick device does not tell").isEqualTo(-1);
    }
  }

  @Test
  void aShutDownExecutorFailsTheOperationOnce() throws Exception {
    assumeFalse(BackingFile.inMemory(dir), "the temporary directory is in memory");
    TestConfig config = TestConfig.of(handler.deviceAttributes(), dir, "filename", "d.img",
        "size", "1M", "create", "1");
    try (BlockBackend b = (BlockBackend) handler.open(config)) {
      ((ExecutorService) config.ioExecutor()).shutdown();
      Io r = new Io();
      b.read(0, ByteBuffer.allocate(512), r);
      assertThatThrownBy(r::await).hasCauseInstanceOf(RejectedExecutionException.class);
      assertThat(r.calls).hasValue(1);
    }
  }
}
