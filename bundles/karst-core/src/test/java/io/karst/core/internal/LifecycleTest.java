package io.karst.core.internal;

import static io.karst.core.internal.TestBed.assertSense;
import static io.karst.core.internal.TestBed.cdb;
import static io.karst.core.internal.TestBed.read10;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.device.Backend;
import io.karst.api.device.BlockBackend;
import io.karst.api.device.DeviceConfig;
import io.karst.api.device.DeviceHandler;
import io.karst.api.device.IoCompletion;
import io.karst.api.local.LocalResult;
import io.karst.api.local.LocalSession;
import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;
import io.karst.api.mgmt.Management.DeviceState;
import io.karst.api.scsi.Sense;
import io.karst.api.target.TargetDriver;
import io.karst.local.internal.LocalTargetDriver;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Handlers and drivers coming and going around a running engine. */
class LifecycleTest {

  private static final String CONFIG = """
      HANDLER held {
          DEVICE d0 {
              read_only 1
          }
      }
      TARGET_DRIVER local {
          enabled 1
          TARGET t {
              enabled 1
              LUN 0 d0
          }
      }
      """;

  @TempDir
  Path dir;
  private Engine engine;

  @AfterEach
  void close() {
    if (engine != null) {
      engine.close();
    }
  }

  /**
   * A handler "held" whose reads wait until the test completes them, and which records the
   * attributes and threads it was opened with.
   */
  private static final class HeldHandler implements DeviceHandler {
    final BlockingQueue<IoCompletion> reads = new LinkedBlockingQueue<>();
    final AtomicInteger closed = new AtomicInteger();
    final List<Map<String, String>> opened = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "held";
    }

    @Override
    public List<AttributeDescriptor> deviceAttributes() {
      return List.of(
          AttributeDescriptor.builder("read_only", AttributeType.BOOLEAN).defaultValue("0")
              .build());
    }

    @Override
    public Backend open(DeviceConfig config) {
      opened.add(config.attributes());
      threads.add(Thread.currentThread().getName());
      return new BlockBackend() {
        @Override
        public int blockSize() {
          return 512;
        }

        @Override
        public long blockCount() {
          return 64;
        }

        @Override
        public void read(long offset, ByteBuffer dst, IoCompletion completion) {
          reads.add(completion);
        }

        @Override
        public void write(long offset, ByteBuffer src, boolean fua, IoCompletion completion) {
          completion.completed();
        }

        @Override
        public void flush(IoCompletion completion) {
          completion.completed();
        }

        @Override
        public void close() {
          closed.incrementAndGet();
        }
      };
    }
  }

  /** An engine with CONFIG and this handler and driver registered, once they have settled. */
  private void serve(DeviceHandler handler, TargetDriver driver) throws Exception {
    engine = new Engine(dir);
    engine.load(CONFIG, "test.conf");
    engine.addHandler(handler);
    engine.addDriver(driver);
    engine.settle();
  }

  private static LocalResult get(CompletableFuture<LocalResult> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aLeavingHandlerWaitsForTheCommandsAtItsBackendWhileNewOnesGetNotReady()
      throws Exception {
    HeldHandler handler = new HeldHandler();
    LocalTargetDriver driver = new LocalTargetDriver();
    serve(handler, driver);
    LocalSession session = driver.login("t", "iqn.test:a");
    CompletableFuture<LocalResult> read =
        session.execute(0, read10(0, 1), null, 512).toCompletableFuture();
    IoCompletion pending = handler.reads.poll(10, TimeUnit.SECONDS);
    assertThat(pending).isNotNull();

    Thread remover = new Thread(() -> engine.removeHandler(handler));
    remover.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    LocalResult tur;
    do {
      tur = get(session.execute(0, cdb(0, 0, 0, 0, 0, 0), null, 0).toCompletableFuture());
    } while (tur.good() && System.nanoTime() < deadline);
    assertSense(tur, Sense.LOGICAL_UNIT_NOT_READY_MANUAL_INTERVENTION);
    assertThat(remover.isAlive()).isTrue();
    assertThat(handler.closed).hasValue(0);
    assertThat(read).isNotDone();

    pending.completed();
    assertThat(get(read).good()).isTrue();
    remover.join(10_000);
    assertThat(remover.isAlive()).isFalse();
    assertThat(handler.closed).hasValue(1);
    assertThat(engine.sessions()).hasSize(1);
    assertThat(engine.devices().get(0).state()).isEqualTo(DeviceState.OFFLINE);
  }

  @Test
  void anUpdatedHandlerANewInstanceReopensTheSameDevicesWithTheSameAttributesUnderTheSession()
      throws Exception {
    // bundle:update: the handler's service goes, and another instance of it comes.
    HeldHandler before = new HeldHandler();
    LocalTargetDriver driver = new LocalTargetDriver();
    serve(before, driver);
    LocalSession session = driver.login("t", "iqn.test:a");
    assertThat(get(session.execute(0, cdb(0, 0, 0, 0, 0, 0), null, 0).toCompletableFuture())
        .good()).isTrue();

    engine.removeHandler(before);
    assertSense(get(session.execute(0, cdb(0, 0, 0, 0, 0, 0), null, 0).toCompletableFuture()),
        Sense.LOGICAL_UNIT_NOT_READY_MANUAL_INTERVENTION);
    HeldHandler after = new HeldHandler();
    engine.addHandler(after);
    engine.settle();

    assertThat(after.opened).isEqualTo(before.opened);
    assertThat(before.closed).hasValue(1);
    assertThat(engine.devices().get(0).state()).isEqualTo(DeviceState.ONLINE);
    assertThat(get(session.execute(0, cdb(0, 0, 0, 0, 0, 0), null, 0).toCompletableFuture())
        .good()).as("the same session goes on").isTrue();
    assertThat(engine.sessions()).hasSize(1);
  }

  @Test
  void aReturningDriverFindsItsTargetsLunsAndAccessAgain() throws Exception {
    HeldHandler handler = new HeldHandler();
    LocalTargetDriver first = new LocalTargetDriver();
    serve(handler, first);
    first.login("t", "iqn.test:a");
    assertThat(engine.sessions()).hasSize(1);

    engine.removeDriver(first);
    assertThat(engine.sessions()).as("the leaving driver's sessions end").isEmpty();
    LocalTargetDriver second = new LocalTargetDriver();
    engine.addDriver(second);
    engine.settle();

    assertThat(engine.drivers()).singleElement().satisfies(d -> assertThat(d.started()).isTrue());
    LocalSession session = second.login("t", "iqn.test:b");
    assertThat(get(session.execute(0, cdb(0, 0, 0, 0, 0, 0), null, 0).toCompletableFuture())
        .good()).isTrue();
    assertThat(engine.targets()).singleElement()
        .satisfies(t -> assertThat(t.luns()).extracting(l -> l.device()).containsExactly("d0"));
  }

  @Test
  void devicesOpenAndDriversStartOnTheManagementThread() throws Exception {
    HeldHandler handler = new HeldHandler();
    List<String> startedOn = new CopyOnWriteArrayList<>();
    TargetDriver driver = new ProbeDriver("local",
        c -> startedOn.add(Thread.currentThread().getName()));
    engine = new Engine(dir);
    engine.addHandler(handler);
    engine.addDriver(driver);
    engine.load(CONFIG, "test.conf");
    engine.settle();
    assertThat(handler.threads).containsExactly("karst-management");
    assertThat(startedOn).containsExactly("karst-management");
    // The handler describes read_only too, so it gets core's value as well.
    assertThat(handler.opened).singleElement()
        .isEqualTo(Map.of("read_only", "1"));
  }

  @Test
  void aHandlerThatLeavesRightAfterArrivingKeepsNothingOpen() throws Exception {
    engine = new Engine(dir);
    engine.load(CONFIG, "test.conf");
    for (int i = 0; i < 50; i++) {
      HeldHandler handler = new HeldHandler();
      engine.addHandler(handler);
      // The queued open may or may not have run by now; either way nothing stays open.
      engine.removeHandler(handler);
      engine.settle();
      assertThat(handler.closed).hasValue(handler.opened.size());
      assertThat(engine.devices().get(0).state()).isEqualTo(DeviceState.OFFLINE);
    }
  }

  @Test
  void aConfigurationFileLoadsAndAMissingOneLeavesTheEngineEmpty() throws Exception {
    engine = new Engine(dir);
    engine.load(dir.resolve("absent.conf"));
    assertThat(engine.devices()).isEmpty();
    engine.close();

    Path file = Files.writeString(dir.resolve("karst.conf"), CONFIG);
    engine = new Engine(dir);
    engine.load(file);
    assertThat(engine.devices()).extracting(d -> d.name() + ":" + d.handler())
        .containsExactly("d0:held");
    assertThat(engine.devices().get(0).stateDetail()).contains("held is not registered");
    assertThat(engine.targets()).singleElement()
        .satisfies(t -> assertThat(t.luns()).hasSize(1));
  }
}
