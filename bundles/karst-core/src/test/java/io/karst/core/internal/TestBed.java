package io.karst.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.local.LocalResult;
import io.karst.api.local.LocalSession;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.Status;
import io.karst.local.internal.LocalTargetDriver;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** An engine with the memory handler and the real local driver, and helpers to send CDBs. */
final class TestBed implements AutoCloseable {

  static final String CONFIG = """
      HANDLER memory {
          DEVICE disk0 {
              size 1M
          }
          DEVICE disk1 {
              size 64K
              blocksize 4096
              t10_prod_id second
          }
      }
      TARGET_DRIVER local {
          enabled 1
          TARGET t1 {
              enabled 1
              LUN 0 disk0
              LUN 3 disk1 {
                  read_only 1
              }
              GROUP special {
                  LUN 0 disk1
                  INITIATOR iqn.special:*
              }
          }
          TARGET off {
              enabled 0
              LUN 0 disk0
          }
      }
      """;

  final Engine engine;
  final MemoryHandler handler = new MemoryHandler();
  final LocalTargetDriver driver = new LocalTargetDriver();
  final LocalSession session;

  TestBed(Path dir) throws Exception {
    this(dir, CONFIG);
  }

  TestBed(Path dir, String config) throws Exception {
    this(dir, config, true);
  }

  /**
   * An engine with {@code config}; with {@code registeredFirst}, the handler and driver
   * register before the configuration is loaded (and it is checked against them), else after,
   * as at a server's start.
   */
  TestBed(Path dir, String config, boolean registeredFirst) throws Exception {
    engine = new Engine(dir);
    if (registeredFirst) {
      engine.addHandler(handler);
      engine.addDriver(driver);
    }
    engine.load(config, "test.conf");
    if (!registeredFirst) {
      engine.addHandler(handler);
      engine.addDriver(driver);
    }
    engine.settle();
    session = driver.login("t1", "iqn.test:host");
  }

  LocalResult send(long lun, byte[] cdb, byte[] dataOut, int dataIn) throws Exception {
    return send(session, lun, cdb, dataOut, dataIn);
  }

  static LocalResult send(LocalSession s, long lun, byte[] cdb, byte[] dataOut, int dataIn)
      throws Exception {
    return s.execute(lun, cdb, dataOut, dataIn).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static void assertSense(LocalResult r, Sense expected) {
    assertThat(r.status()).isEqualTo(Status.CHECK_CONDITION);
    assertThat(r.sense().key()).isEqualTo(expected.key());
    assertThat(r.sense().asc()).isEqualTo(expected.asc());
    assertThat(r.sense().ascq()).isEqualTo(expected.ascq());
  }

  static byte[] cdb(int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      b[i] = (byte) bytes[i];
    }
    return b;
  }

  static byte[] read10(long lba, int blocks) {
    return ByteBuffer.allocate(10).put((byte) 0x28).put((byte) 0).putInt((int) lba)
        .put((byte) 0).putShort((short) blocks).put((byte) 0).array();
  }

  static byte[] write10(long lba, int blocks) {
    byte[] c = read10(lba, blocks);
    c[0] = 0x2A;
    return c;
  }

  @Override
  public void close() {
    session.close();
    engine.close();
  }
}
