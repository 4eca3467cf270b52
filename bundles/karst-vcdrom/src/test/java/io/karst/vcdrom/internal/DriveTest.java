package io.karst.vcdrom.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.scsi.Sense;
import io.karst.api.scsi.Status;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A drive with a small image in it: {@value #SECTORS} sectors of 2048 bytes, each holding its
 * own number and a pattern, which is all the block commands need of an ISO image.
 */
abstract class DriveTest {

  static final int SECTORS = 300;

  @TempDir
  Path dir;
  Path image;
  FakeConfig config;
  CdromBackend drive;

  @BeforeEach
  void openDrive() throws Exception {
    image = image(dir.resolve("disc.iso"), SECTORS, 1);
    config = new FakeConfig(dir, "disc.iso");
    drive = (CdromBackend) new VcdromHandler().open(config);
  }

  @AfterEach
  void closeDrive() {
    drive.close();
  }

  /** An image of {@code sectors} sectors whose bytes depend on the sector and {@code seed}. */
  static Path image(Path file, int sectors, int seed) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(sectors * Disc.BLOCK_SIZE);
    for (int s = 0; s < sectors; s++) {
      b.putLong(s * Disc.BLOCK_SIZE, s);
      for (int i = 8; i < Disc.BLOCK_SIZE; i++) {
        b.put(s * Disc.BLOCK_SIZE + i, (byte) (s * 31 + i + seed));
      }
    }
    Files.write(file, b.array());
    return file;
  }

  static byte[] cdb(int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      b[i] = (byte) bytes[i];
    }
    return b;
  }

  FakeTask exec(int... bytes) throws Exception {
    return exec(cdb(bytes), null);
  }

  FakeTask exec(byte[] cdb, byte[] dataOut) throws Exception {
    FakeTask t = new FakeTask(cdb, dataOut);
    drive.execute(t);
    t.await();
    return t;
  }

  static FakeTask good(FakeTask t) {
    assertThat(t.status()).as("status, sense %s", t.sense()).isEqualTo(Status.GOOD);
    return t;
  }

  static void assertSense(FakeTask t, Sense expected) {
    assertThat(t.status()).isEqualTo(Status.CHECK_CONDITION);
    assertThat(t.sense().key()).isEqualTo(expected.key());
    assertThat(t.sense().asc()).as("ASC").isEqualTo(expected.asc());
    assertThat(t.sense().ascq()).as("ASCQ").isEqualTo(expected.ascq());
  }

  static int u16(byte[] b, int at) {
    return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
  }

  static long u32(byte[] b, int at) {
    return ByteBuffer.wrap(b, at, 4).getInt() & 0xFFFFFFFFL;
  }
}
