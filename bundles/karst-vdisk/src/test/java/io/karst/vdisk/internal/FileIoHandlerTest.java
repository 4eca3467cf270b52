package io.karst.vdisk.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.karst.api.device.BlockBackend;
import io.karst.api.device.DeviceException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileIoHandlerTest {

  @TempDir
  Path dir;
  private final FileIoHandler handler = new FileIoHandler();

  private BlockBackend open(String... pairs) throws DeviceException {
    return (BlockBackend) handler.open(TestConfig.of(handler.deviceAttributes(), dir, pairs));
  }

  @Test
  void createsASparseFileOfTheGivenSize() throws Exception {
    try (BlockBackend b = open("filename", "d.img", "size", "1G", "create", "1")) {
      assertThat(b.blockCount()).isEqualTo((1L << 30) / 512);
      assertThat(b.blockSize()).isEqualTo(512);
    }
    Path file = dir.resolve("d.img");
    assertThat(Files.size(file)).isEqualTo(1L << 30);
    Process stat = new ProcessBuilder("stat", "-c", "%b*%B", file.toString()).start();
    String[] blocks = new String(stat.getInputStream().readAllBytes()).trim().split("\\*");
    long allocated = Long.parseLong(blocks[0]) * Long.parseLong(blocks[1]);
    assertThat(allocated).as("bytes allocated to a sparse 1 GiB file").isLessThan(1 << 20);
  }

  @Test
  void dataSurvivesReopeningAndIoRunsOnTheDeviceThreads() throws Exception {
    byte[] data = new byte[4096];
    Arrays.fill(data, (byte) 0x3C);
    try (BlockBackend b = open("filename", "d.img", "size", "1M", "create", "1")) {
      Io w = new Io();
      b.write(8192, ByteBuffer.wrap(data), true, w);
      assertThat(w.await()).isEqualTo("test-io");
      assertThat(w.calls).hasValue(1);
    }
    try (BlockBackend b = open("filename", "d.img", "size", "1M", "create", "1")) {
      ByteBuffer in = ByteBuffer.allocateDirect(4096);
      Io r = new Io();
      b.read(8192, in, r);
      r.await();
      byte[] got = new byte[4096];
      in.flip().get(got);
      assertThat(got).isEqualTo(data);
      Io f = new Io();
      b.flush(f);
      f.await();
    }
    assertThat(Files.size(dir.resolve("d.img"))).isEqualTo(1 << 20);
  }

  @Test
  void aFileInMemoryIsServedOnTheCallingThread() throws Exception {
    Path shm = Path.of("/dev/shm");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(shm)
        && FileIoHandler.inMemory(shm), "no tmpfs at /dev/shm");
    Path file = Files.createTempFile(shm, "karst-test", ".img");
    try (BlockBackend b = open("filename", file.toString(), "size", "64K", "create", "1")) {
      Io w = new Io();
      b.write(0, ByteBuffer.wrap(new byte[4096]), false, w);
      assertThat(w.await()).isEqualTo(Thread.currentThread().getName());
    } finally {
      Files.delete(file);
    }
  }

  @Test
  void readsPastTheEndOfAShortFileReturnZeros() throws Exception {
    Files.write(dir.resolve("short.img"), new byte[1024]);
    try (BlockBackend b = open("filename", "short.img")) {
      assertThat(b.blockCount()).isEqualTo(2);
    }
    Path f = dir.resolve("grow.img");
    Files.write(f, new byte[512]);
    try (BlockBackend b = open("filename", "grow.img", "size", "4K", "create", "1")) {
      ByteBuffer in = ByteBuffer.allocate(4096);
      Arrays.fill(in.array(), (byte) 9);
      Io r = new Io();
      b.read(0, in, r);
      r.await();
      assertThat(in.array()).containsOnly(0);
    }
  }

  @Test
  void aMissingFileIsAClearError() {
    assertThatThrownBy(() -> open("filename", "nope.img"))
        .isInstanceOf(DeviceException.class)
        .hasMessageContaining("nope.img: no such file (set create 1 to create it)");
    assertThatThrownBy(() -> open("filename", "nope.img", "create", "1"))
        .hasMessageContaining("size is needed");
  }

  @Test
  void badGeometryIsRefused() throws Exception {
    assertThatThrownBy(() -> open("filename", "d.img", "size", "1M", "create", "1",
        "blocksize", "1000")).hasMessageContaining("blocksize 1000");
    Files.write(dir.resolve("small.img"), new byte[512]);
    assertThatThrownBy(() -> open("filename", "small.img", "size", "1M"))
        .hasMessageContaining("is larger than");
  }

  @Test
  void readOnlyDevicesRefuseWrites() throws Exception {
    Files.write(dir.resolve("ro.img"), new byte[4096]);
    try (BlockBackend b = open("filename", "ro.img", "read_only", "1")) {
      assertThat(b.readOnly()).isTrue();
      Io w = new Io();
      b.write(0, ByteBuffer.allocate(512), false, w);
      assertThatThrownBy(w::await).isInstanceOf(ExecutionException.class);
    }
  }

  @Test
  void writeThroughReportsNoWriteCache() throws Exception {
    try (BlockBackend b = open("filename", "d.img", "size", "1M", "create", "1",
        "write_through", "1")) {
      assertThat(b.writeCacheEnabled()).isFalse();
    }
  }
}
