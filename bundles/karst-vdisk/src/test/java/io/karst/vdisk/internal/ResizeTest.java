package io.karst.vdisk.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static io.karst.vdisk.internal.FileIoHandlerTest.filled;
import static io.karst.vdisk.internal.FileIoHandlerTest.read;
import static io.karst.vdisk.internal.FileIoHandlerTest.write;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.karst.api.device.BlockBackend;
import io.karst.api.device.DeviceConfig;
import io.karst.api.device.DeviceException;
import io.karst.api.device.DeviceHandler;
import io.karst.api.mgmt.AttributeDescriptor;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attributes a running vdisk device changes in place, as SCST lets them change: the size
 * (a file grows sparse, a shrink hides blocks and keeps the file), resync_size, and nullio's
 * read_zero (refused on a thin one); every other attribute is given when the device opens.
 */
class ResizeTest {

  @TempDir
  Path dir;
  private final FileIoHandler fileio = new FileIoHandler();

  private BlockBackend open(String... pairs) throws DeviceException {
    return (BlockBackend) fileio.open(TestConfig.of(fileio.deviceAttributes(), dir, pairs));
  }

  private static List<String> writable(DeviceHandler h) {
    return h.deviceAttributes().stream().filter(AttributeDescriptor::writable)
        .map(AttributeDescriptor::name).toList();
  }

  @Test
  void exactlyWhatScstChangesOnALiveDeviceIsWritable() {
    assertThat(writable(fileio)).containsExactly("size");
    assertThat(writable(new BlockIoHandler())).containsExactly("size");
    assertThat(writable(new NullIoHandler())).containsExactly("size", "read_zero");
  }

  @Test
  void growingExtendsTheFileSparseAndKeepsItsData() throws Exception {
    try (BlockBackend b = open("filename", "d.img", "size", "1M", "create", "1")) {
      write(b, (1 << 20) - 4096, filled(4096, 0x5A), false);
      b.set("size", String.valueOf(3 << 20));
      assertThat(b.blockCount()).isEqualTo((3 << 20) / 512);
      assertThat(Files.size(dir.resolve("d.img"))).isEqualTo(3 << 20);
      assertThat(read(b, (1 << 20) - 4096, 4096)).containsOnly(0x5A);
      assertThat(read(b, (3 << 20) - 4096, 4096)).as("the new blocks").containsOnly(0);
      write(b, (3 << 20) - 512, filled(512, 0x33), false);
      assertThat(read(b, (3 << 20) - 512, 512)).containsOnly(0x33);
    }
  }

  @Test
  void shrinkingHidesTheBlocksAndNeverTruncatesTheFile() throws Exception {
    try (BlockBackend b = open("filename", "d.img", "size", "2M", "create", "1")) {
      write(b, (1 << 20) + 4096, filled(4096, 0x77), false);
      b.set("size", "1048576");
      assertThat(b.blockCount()).isEqualTo(2048);
      assertThat(Files.size(dir.resolve("d.img"))).as("the file keeps its length")
          .isEqualTo(2 << 20);
      b.set("size", String.valueOf(2 << 20));
      assertThat(read(b, (1 << 20) + 4096, 4096)).as("as SCST: what was there is there")
          .containsOnly(0x77);
    }
  }

  @Test
  void aSizeThatHoldsNoBlockIsRefusedAndTheDeviceIsAsItWas() throws Exception {
    try (BlockBackend b = open("filename", "d.img", "size", "1M", "create", "1",
        "blocksize", "4096")) {
      assertThatThrownBy(() -> b.set("size", "2048")).isInstanceOf(DeviceException.class)
          .hasMessage("disk0: 2048 bytes hold no 4096-byte block");
      assertThat(b.blockCount()).isEqualTo(256);
      assertThatThrownBy(() -> b.set("write_through", "1"))
          .isInstanceOf(DeviceException.class);
    }
  }

  @Test
  void theFileOfAReadOnlyDeviceIsNotExtended() throws Exception {
    Path file = dir.resolve("d.img");
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(2 << 20);
    }
    try (BlockBackend b = open("filename", "d.img", "size", "1M", "read_only", "1")) {
      b.set("size", String.valueOf(2 << 20));
      assertThat(b.blockCount()).as("within the file").isEqualTo(4096);
      assertThatThrownBy(() -> b.set("size", String.valueOf(3 << 20)))
          .isInstanceOf(DeviceException.class)
          .hasMessageContaining("which a read_only device does not extend");
      assertThat(b.blockCount()).isEqualTo(4096);
      assertThat(Files.size(file)).isEqualTo(2 << 20);
    }
  }

  @Test
  void withoutASizeTheDeviceFollowsItsFile() throws Exception {
    Path file = dir.resolve("d.img");
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(1 << 20);
    }
    try (BlockBackend b = open("filename", "d.img")) {
      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
        f.setLength(5 << 20);
      }
      assertThat(b.blockCount()).as("until resync_size").isEqualTo(2048);
      assertThat(b.resyncSize()).isTrue();
      assertThat(b.blockCount()).isEqualTo((5 << 20) / 512);
      b.set("size", String.valueOf(1 << 20));
      assertThat(b.resyncSize()).isTrue();
      assertThat(b.blockCount()).as("a given size stays").isEqualTo(2048);
      b.set("size", null);
      assertThat(b.blockCount()).as("the size taken out: the file's length again")
          .isEqualTo((5 << 20) / 512);
    }
  }

  @Test
  void resyncRefusesAFileNowShorterThanTheGivenSize() throws Exception {
    Path file = dir.resolve("d.img");
    try (BlockBackend b = open("filename", "d.img", "size", "2M", "create", "1")) {
      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
        f.setLength(1 << 20);
      }
      assertThatThrownBy(b::resyncSize).isInstanceOf(DeviceException.class)
          .hasMessageContaining("is now 1048576 bytes, shorter than the device's size 2097152");
      assertThat(b.blockCount()).isEqualTo(4096);
    }
  }

  /** A configuration that records the unit attentions the backend raises. */
  private record Recording(DeviceConfig config, List<String> raised) implements DeviceConfig {
    @Override
    public String name() {
      return config.name();
    }

    @Override
    public Map<String, String> attributes() {
      return config.attributes();
    }

    @Override
    public Path dataDirectory() {
      return config.dataDirectory();
    }

    @Override
    public Executor ioExecutor() {
      return config.ioExecutor();
    }

    @Override
    public void unitAttention(int asc, int ascq) {
      raised.add(String.format("%02X/%02X", asc, ascq));
    }
  }

  @Test
  void nullioChangesItsSizeAndWhetherItReadsZerosTellingNoOne() throws Exception {
    NullIoHandler nullio = new NullIoHandler();
    Recording config = new Recording(TestConfig.of(nullio.deviceAttributes(), dir, "size", "1G"),
        new CopyOnWriteArrayList<>());
    try (BlockBackend b = (BlockBackend) nullio.open(config)) {
      b.set("size", String.valueOf(2L << 30));
      assertThat(b.blockCount()).isEqualTo((2L << 30) / 512);
      b.set("read_zero", "0");
      assertThat(readOver(b, 0x11)).as("the buffer left alone").containsOnly(0x11);
      assertThat(b.supportsUnmap()).as("thin only with thin_provisioned").isFalse();
      b.set("read_zero", "1");
      assertThat(readOver(b, 0x11)).containsOnly(0);
      assertThat(config.raised()).as("core raises CAPACITY DATA HAS CHANGED for a size; "
          + "nothing reported follows read_zero").isEmpty();
    }
  }

  @Test
  void aThinNullioDeviceKeepsReadingZeros() throws Exception {
    NullIoHandler nullio = new NullIoHandler();
    Recording config = new Recording(TestConfig.of(nullio.deviceAttributes(), dir,
        "thin_provisioned", "1"), new CopyOnWriteArrayList<>());
    try (BlockBackend b = (BlockBackend) nullio.open(config)) {
      assertThatThrownBy(() -> b.set("read_zero", "0")).isInstanceOf(DeviceException.class)
          .hasMessage("disk0: thin_provisioned 1 needs read_zero 1: unmapped blocks must read "
              + "as zeros");
      assertThat(readOver(b, 0x11)).containsOnly(0);
      assertThat(b.supportsUnmap()).isTrue();
      b.set("read_zero", "1");
      assertThat(readOver(b, 0x11)).containsOnly(0);
      assertThat(config.raised()).isEmpty();
    }
  }

  /** One block read into a buffer filled with {@code fill}. */
  private static byte[] readOver(BlockBackend b, int fill) throws Exception {
    ByteBuffer in = ByteBuffer.wrap(filled(512, fill));
    Io r = new Io();
    b.read(0, in, r);
    r.await();
    assertThat(in.hasRemaining()).isFalse();
    return in.array();
  }
}
