package io.karst.example.ramdisk.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.karst.api.device.BlockBackend;
import io.karst.api.device.DeviceConfig;
import io.karst.api.device.DeviceException;
import io.karst.api.device.IoCompletion;
import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The handler as core drives it: a {@link DeviceConfig} with checked, canonical attributes and
 * defaults filled in, and operations that report through an {@link IoCompletion}.
 */
class RamDiskHandlerTest {

  private final RamDiskHandler handler = new RamDiskHandler();

  /** A device's configuration as core hands it over: defaults, then the given pairs. */
  private record Config(Map<String, String> attributes) implements DeviceConfig {

    static Config of(String... pairs) {
      Map<String, String> a = new HashMap<>();
      for (AttributeDescriptor d : new RamDiskHandler().deviceAttributes()) {
        a.put(d.name(), d.canonical(d.defaultValue()));
      }
      for (int i = 0; i < pairs.length; i += 2) {
        String name = pairs[i];
        AttributeDescriptor d = new RamDiskHandler().deviceAttributes().stream()
            .filter(x -> x.name().equals(name)).findFirst().orElseThrow();
        a.put(name, d.canonical(pairs[i + 1]));
      }
      return new Config(a);
    }

    @Override
    public String name() {
      return "ram0";
    }

    @Override
    public Path dataDirectory() {
      return Path.of(".");
    }

    @Override
    public Executor ioExecutor() {
      return r -> {
        throw new AssertionError("a RAM disk has nothing to wait for; it runs no I/O thread");
      };
    }

    @Override
    public void unitAttention(int asc, int ascq) {
      throw new AssertionError("core raises the unit attention of a new size, not the handler");
    }
  }

  /** What one operation reported: null while it has not, the cause of a failure or OK. */
  private static final class Outcome implements IoCompletion {
    static final Throwable OK = new Throwable("completed");
    final AtomicReference<Throwable> result = new AtomicReference<>();

    @Override
    public void completed() {
      assertThat(result.compareAndSet(null, OK)).as("reported once").isTrue();
    }

    @Override
    public void failed(Throwable cause) {
      assertThat(result.compareAndSet(null, cause)).as("reported once").isTrue();
    }

    /** The operation completed inline, successfully. */
    void assertCompleted() {
      assertThat(result.get()).as("completed on the caller's thread").isSameAs(OK);
    }
  }

  private RamDisk open(String... pairs) throws DeviceException {
    return (RamDisk) handler.open(Config.of(pairs));
  }

  private static byte[] read(BlockBackend disk, long offset, int length) {
    ByteBuffer dst = ByteBuffer.allocate(length);
    Arrays.fill(dst.array(), (byte) 0x55);
    Outcome o = new Outcome();
    disk.read(offset, dst, o);
    o.assertCompleted();
    assertThat(dst.hasRemaining()).isFalse();
    return dst.array();
  }

  private static void write(BlockBackend disk, long offset, byte[] data) {
    Outcome o = new Outcome();
    ByteBuffer src = ByteBuffer.wrap(data);
    disk.write(offset, src, false, o);
    o.assertCompleted();
    assertThat(src.hasRemaining()).as("the whole buffer is consumed").isFalse();
  }

  private static byte[] filled(int length, int value) {
    byte[] b = new byte[length];
    Arrays.fill(b, (byte) value);
    return b;
  }

  @Test
  void describesItsAttributesWithDefaultsAndOneWritable() {
    assertThat(handler.name()).isEqualTo("example_ramdisk");
    assertThat(handler.deviceAttributes()).extracting(AttributeDescriptor::name)
        .containsExactly("size", "blocksize", "chunk_size");
    assertThat(handler.deviceAttributes()).filteredOn(AttributeDescriptor::writable)
        .extracting(AttributeDescriptor::name).containsExactly("size");
    assertThat(handler.deviceAttributes()).allSatisfy(d -> {
      assertThat(d.defaultValue()).isNotNull();
      assertThat(d.createParameter()).isTrue();
      assertThat(d.description()).isNotBlank();
    });
  }

  @Test
  void opensWithTheGeometryGivenAndAllocatesNothing() throws Exception {
    RamDisk disk = open("size", "1T", "blocksize", "4096");
    assertThat(disk.blockSize()).isEqualTo(4096);
    assertThat(disk.blockCount()).isEqualTo((1L << 40) / 4096);
    assertThat(disk.allocatedBytes()).isZero();
    assertThat(disk.supportsUnmap()).isTrue();
    assertThat(disk.writeCacheEnabled()).isFalse();
    assertThat(disk.readOnly()).isFalse();
  }

  @Test
  void refusesAGeometryItCannotServeNamingTheDevice() {
    assertThatThrownBy(() -> open("blocksize", "1000")).isInstanceOf(DeviceException.class)
        .hasMessageContaining("ram0: blocksize 1000");
    assertThatThrownBy(() -> open("size", "511")).isInstanceOf(DeviceException.class)
        .hasMessageContaining("ram0: size 511 holds no 512-byte block");
    assertThatThrownBy(() -> open("chunk_size", "3000")).hasMessageContaining("chunk_size 3000");
    assertThatThrownBy(() -> open("chunk_size", "2K")).hasMessageContaining("power of two");
    assertThatThrownBy(() -> open("chunk_size", "32M")).hasMessageContaining("chunk_size");
  }

  @Test
  void untouchedBlocksReadAsZerosAndWritesReadBackAcrossChunks() throws Exception {
    RamDisk disk = open("size", "1M", "chunk_size", "4K");
    assertThat(read(disk, 0, 64 << 10)).containsOnly(0);
    byte[] data = new byte[12 << 10];
    new java.util.Random(7).nextBytes(data);
    write(disk, 3 * 512, data); // straddles chunks 0 to 4
    assertThat(read(disk, 3 * 512, data.length)).isEqualTo(data);
    assertThat(read(disk, 0, 3 * 512)).containsOnly(0);
    assertThat(read(disk, 3 * 512 + data.length, 512)).containsOnly(0);
    assertThat(disk.allocatedBytes()).isEqualTo(4 * 4096);
  }

  @Test
  void writingZerosToAnUntouchedChunkAllocatesNothing() throws Exception {
    RamDisk disk = open("chunk_size", "64K");
    write(disk, 0, new byte[1 << 20]);
    assertThat(disk.allocatedBytes()).isZero();
    write(disk, 4096, filled(512, 9));
    write(disk, 0, new byte[128 << 10]); // a written chunk takes the zeros
    assertThat(disk.allocatedBytes()).isEqualTo(64 << 10);
    assertThat(read(disk, 4096, 512)).containsOnly(0);
  }

  @Test
  void unmapFreesWholeChunksAndZerosTheEdgesOfOthers() throws Exception {
    RamDisk disk = open("size", "1M", "chunk_size", "4K");
    write(disk, 0, filled(16 << 10, 7));
    Outcome o = new Outcome();
    disk.unmap(1024, 12 << 10, o); // part of chunk 0, chunks 1 and 2, part of chunk 3
    o.assertCompleted();
    assertThat(disk.allocatedBytes()).isEqualTo(2 * 4096);
    assertThat(read(disk, 0, 1024)).containsOnly(7);
    assertThat(read(disk, 1024, 12 << 10)).containsOnly(0);
    assertThat(read(disk, 13 << 10, 3 << 10)).containsOnly(7);
  }

  @Test
  void flushHasNothingToDo() throws Exception {
    RamDisk disk = open();
    Outcome o = new Outcome();
    disk.flush(o);
    o.assertCompleted();
  }

  @Test
  void sizeChangesInPlaceAndAShrinkForgetsWhatWasCutOff() throws Exception {
    RamDisk disk = open("size", "64K", "chunk_size", "16K");
    write(disk, 0, filled(64 << 10, 3));
    disk.set("size", "40960"); // 80 blocks: chunk 2 is cut in half, chunk 3 dropped
    assertThat(disk.blockCount()).isEqualTo(80);
    assertThat(disk.allocatedBytes()).isEqualTo(3 * (16 << 10));
    Outcome beyond = new Outcome();
    disk.write(40960, ByteBuffer.allocate(512), false, beyond);
    assertThat(beyond.result.get()).isInstanceOfSatisfying(SenseException.class,
        e -> assertThat(e.sense()).isEqualTo(Sense.LBA_OUT_OF_RANGE));
    disk.set("size", "65536"); // core hands values over canonical
    assertThat(disk.blockCount()).isEqualTo(128);
    assertThat(read(disk, 0, 40960)).containsOnly(3);
    assertThat(read(disk, 40960, (64 << 10) - 40960)).as("grown back as zeros").containsOnly(0);
  }

  @Test
  void refusesASizeWithoutABlockAndAnyOtherAttributeLeavingTheDiskAsItWas() throws Exception {
    RamDisk disk = open("size", "1M");
    assertThatThrownBy(() -> disk.set("size", "100")).isInstanceOf(DeviceException.class)
        .hasMessageContaining("ram0: size 100 holds no 512-byte block");
    assertThatThrownBy(() -> disk.set("blocksize", "4096"))
        .isInstanceOf(DeviceException.class).hasMessageContaining("blocksize");
    assertThat(disk.blockCount()).isEqualTo(2048);
    assertThat(disk.blockSize()).isEqualTo(512);
  }

  @Test
  void closeFreesTheMemory() throws Exception {
    RamDisk disk = open();
    write(disk, 0, filled(4096, 1));
    disk.close();
    assertThat(disk.allocatedBytes()).isZero();
  }
}
