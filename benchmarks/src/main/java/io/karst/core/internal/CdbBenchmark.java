package io.karst.core.internal;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CDB decode as core does it for every READ and WRITE: the frame check (length and control
 * byte per opcode group) and the LBA and transfer length, for the 10- and 16-byte forms.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CdbBenchmark {

  @Param({"READ_10", "WRITE_16"})
  String command;

  private byte[] cdb;

  @org.openjdk.jmh.annotations.Setup
  public void setUp() {
    cdb = switch (command) {
      case "READ_10" -> new byte[] {0x28, 0, 0, 1, 0x23, 0x45, 0, 0, 8, 0};
      case "WRITE_16" -> new byte[] {(byte) 0x8A, 0, 0, 0, 0, 0, 0, 1, 0x23, 0x45, 0, 0, 0, 8,
          0, 0};
      default -> throw new IllegalArgumentException(command);
    };
  }

  @Benchmark
  public long decode() throws Exception {
    Cdb.checkFrame(cdb);
    Sbc.Range r = Sbc.range(cdb);
    return r.lba() + r.blocks();
  }
}
