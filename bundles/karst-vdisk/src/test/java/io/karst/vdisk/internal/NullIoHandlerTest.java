package io.karst.vdisk.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.karst.api.device.BlockBackend;
import io.karst.api.device.DeviceException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NullIoHandlerTest {

  @TempDir
  Path dir;
  private final NullIoHandler handler = new NullIoHandler();

  @Test
  void readsZerosInlineAndDiscardsWrites() throws Exception {
    BlockBackend b = (BlockBackend) handler.open(
        TestConfig.of(handler.deviceAttributes(), dir, "size", "1G", "blocksize", "4096"));
    assertThat(b.blockCount()).isEqualTo(1 << 18);
    ByteBuffer in = ByteBuffer.allocate(200_000);
    Arrays.fill(in.array(), (byte) 1);
    Io r = new Io();
    b.read(0, in, r);
    assertThat(r.await()).isEqualTo(Thread.currentThread().getName());
    assertThat(in.array()).containsOnly(0);
    assertThat(in.hasRemaining()).isFalse();
    assertThat(b.supportsUnmap()).as("thin only on request").isFalse();
    assertThat(b.placeholder()).isFalse();
    assertThat(b.physicalBlockExponent()).isZero();
    Io w = new Io();
    b.write(0, ByteBuffer.allocate(4096), false, w);
    w.await();
    assertThat(w.calls).hasValue(1);
  }

  @Test
  void readZeroOffLeavesTheBuffer() throws Exception {
    BlockBackend b = (BlockBackend) handler.open(
        TestConfig.of(handler.deviceAttributes(), dir, "read_zero", "0"));
    ByteBuffer in = ByteBuffer.allocate(512);
    Arrays.fill(in.array(), (byte) 1);
    Io r = new Io();
    b.read(0, in, r);
    r.await();
    assertThat(in.array()).containsOnly(1);
    assertThat(in.hasRemaining()).isFalse();
    assertThat(b.blockCount()).isEqualTo((1L << 40) / 512);
    assertThat(b.supportsUnmap()).isFalse();
  }

  @Test
  void thinUnmapsWithNothingToDoAsEveryBlockReadsZeros() throws Exception {
    BlockBackend b = (BlockBackend) handler.open(TestConfig.of(handler.deviceAttributes(), dir,
        "thin_provisioned", "1", "lb_per_pb_exp", "1"));
    assertThat(b.supportsUnmap()).isTrue();
    assertThat(b.physicalBlockExponent()).as("a page on 512-byte blocks").isEqualTo(3);
    Io u = new Io();
    b.unmap(0, 1 << 20, u);
    assertThat(u.await()).isEqualTo(Thread.currentThread().getName());
    assertThatThrownBy(() -> handler.open(TestConfig.of(handler.deviceAttributes(), dir,
        "thin_provisioned", "1", "read_zero", "0"))).isInstanceOf(DeviceException.class)
        .hasMessage("disk0: thin_provisioned 1 needs read_zero 1: unmapped blocks must read "
            + "as zeros");
  }

  @Test
  void dummyIsAPlaceholder() throws Exception {
    BlockBackend b = (BlockBackend) handler.open(
        TestConfig.of(handler.deviceAttributes(), dir, "dummy", "1"));
    assertThat(b.placeholder()).isTrue();
    assertThat(NullIoHandler.DUMMY.createParameter()).isTrue();
    assertThat(NullIoHandler.DUMMY.writable()).as("fixed for the device's life, as in SCST")
        .isFalse();
  }

  @Test
  void sharesTheGeometryOfFileioAndChecksIt() throws Exception {
    var fileio = new FileIoHandler().deviceAttributes();
    assertThat(handler.deviceAttributes()).contains(Geometry.BLOCKSIZE, Geometry.READ_ONLY)
        .extracting(d -> d.name()).containsExactly("size", "blocksize", "read_only", "read_zero",
            "thin_provisioned", "dummy", "lb_per_pb_exp");
    assertThat(fileio).contains(Geometry.BLOCKSIZE, Geometry.READ_ONLY);
    assertThat(handler.deviceAttributes().get(0).defaultValue()).isEqualTo("1T");
    BlockBackend b = (BlockBackend) handler.open(TestConfig.of(handler.deviceAttributes(), dir,
        "size", "1000", "read_only", "yes"));
    assertThat(b.readOnly()).isTrue();
    assertThat(b.blockCount()).as("rounded down to whole blocks").isEqualTo(1);
    assertThatThrownBy(() -> handler.open(TestConfig.of(handler.deviceAttributes(), dir,
        "blocksize", "8192"))).isInstanceOf(DeviceException.class)
        .hasMessageContaining("blocksize 8192");
    assertThatThrownBy(() -> handler.open(TestConfig.of(handler.deviceAttributes(), dir,
        "size", "100"))).isInstanceOf(DeviceException.class)
        .hasMessageContaining("100 bytes hold no 512-byte block");
  }
}
