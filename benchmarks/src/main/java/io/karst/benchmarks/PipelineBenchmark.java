package io.karst.benchmarks;

import io.karst.api.local.LocalResult;
import io.karst.api.local.LocalSession;
import io.karst.core.internal.Engine;
import io.karst.local.internal.LocalTargetDriver;
import io.karst.vdisk.internal.NullIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole SCSI command path in core, without a network: a 4 KiB READ(10) or WRITE(10)
 * through the local target driver to a vdisk_nullio device, one at a time or 32 outstanding, as
 * an iSCSI connection would submit them, with latency measurement off or on (what the switch
 * costs). What is left of an iSCSI command's time beyond this is the protocol and the network.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PipelineBenchmark {

  private static final int BLOCKS = 8;

  @Param({"false", "true"})
  boolean measureLatency;

  private Path dir;
  private Engine engine;
  private LocalSession session;
  private final byte[] read = {0x28, 0, 0, 0, 0, 0, 0, 0, BLOCKS, 0};
  private final byte[] write = {0x2A, 0, 0, 0, 0, 0, 0, 0, BLOCKS, 0};
  private final byte[] data = new byte[BLOCKS * 512];

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("karst-bench");
    engine = new Engine(dir);
    engine.addHandler(new NullIoHandler());
    LocalTargetDriver driver = new LocalTargetDriver();
    engine.addDriver(driver);
    engine.load("""
        HANDLER vdisk_nullio {
            DEVICE null0 {
                size 1G
            }
        }
        TARGET_DRIVER local {
            enabled 1
            TARGET bench {
                enabled 1
                LUN 0 null0
            }
        }
        """, "bench.conf");
    engine.settle();
    engine.latencyMeasurement(measureLatency);
    session = driver.login("bench", "iqn.2026-11.io.karst:bench");
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    session.close();
    engine.close();
    Files.deleteIfExists(dir);
  }

  @Benchmark
  public LocalResult read4k() throws Exception {
    return session.execute(0, read, null, data.length).toCompletableFuture().get();
  }

  @Benchmark
  public LocalResult write4k() throws Exception {
    return session.execute(0, write, data, 0).toCompletableFuture().get();
  }

  /** 32 reads outstanding at once, as a queue depth of 32 gives; counts as 32 operations. */
  @Benchmark
  @org.openjdk.jmh.annotations.OperationsPerInvocation(32)
  public void read4kDepth32() throws Exception {
    CompletableFuture<?>[] all = new CompletableFuture<?>[32];
    for (int i = 0; i < all.length; i++) {
      all[i] = session.execute(0, read, null, data.length).toCompletableFuture();
    }
    CompletableFuture.allOf(all).get();
  }
}
