package io.karst.iscsi.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CRC32C (RFC 7143 header and data digests) with java.util.zip.CRC32C over a direct buffer, as
 * the codec sees PDUs: a 48-byte header, a 4 KiB and a 256 KiB data segment. The JIT turns it
 * into the CPU's CRC32 instructions; this shows what a digest costs per byte.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DigestBenchmark {

  @Param({"48", "4096", "262144"})
  int length;

  private ByteBuffer buffer;
  private final CRC32C crc = new CRC32C();

  @Setup
  public void setUp() {
    byte[] bytes = new byte[length];
    ThreadLocalRandom.current().nextBytes(bytes);
    buffer = ByteBuffer.allocateDirect(length).put(bytes).flip();
  }

  @Benchmark
  public long crc32c() {
    crc.reset();
    crc.update(buffer.duplicate());
    return crc.getValue();
  }
}
