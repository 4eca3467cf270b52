package io.karst.itests;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.itests.KarstServer.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No acknowledged byte is lost or misplaced: QEMU writes the whole of each LUN in random pieces
 * and reads every byte back; qemu-img copies an image onto a LUN and compares it; and writes
 * acknowledged with FUA or followed by a SYNCHRONIZE CACHE survive a SIGKILL of the server.
 */
class DataIntegrityE2EIT {

  private static final int PORT = 13262;
  private static final String IQN = "iqn.2026-11.io.karst:integrity";
  private static final long DISK_BYTES = 64L << 20;

  private static KarstServer server;

  @BeforeAll
  static void startServer() throws Exception {
    KarstServer.requireTools("qemu-io", "qemu-img");
    server = KarstServer.start("integrity", PORT, KarstServer.handler("vdisk_fileio",
            KarstServer.device("cached", DISK_BYTES),
            KarstServer.device("thin", DISK_BYTES, "thin_provisioned 1"),
            KarstServer.device("through", DISK_BYTES, "write_through 1"))
        + KarstServer.handler("vdisk_blockio",
            KarstServer.device("direct", DISK_BYTES, "blocksize 4096"))
        + KarstServer.iscsi(PORT, KarstServer.target(IQN, "LUN 0 cached", "LUN 1 thin",
            "LUN 2 through", "LUN 3 direct")));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** A piece of the LUN and the byte it is filled with. */
  private record Piece(long offset, long length, int pattern) {}

  /**
   * The whole LUN cut into pieces of random lengths (4 KiB to 2 MiB, whole blocks of every
   * LUN, 4096-byte ones included), each
   * with its own pattern, in random order: every byte is written once, by one piece.
   */
  private static List<Piece> pieces(Random random) {
    List<Piece> pieces = new ArrayList<>();
    long at = 0;
    while (at < DISK_BYTES) {
      long length = Math.min(DISK_BYTES - at, 4096L * (1 + random.nextInt(512)));
      pieces.add(new Piece(at, length, 1 + pieces.size() % 255));
      at += length;
    }
    Collections.shuffle(pieces, random);
    return pieces;
  }

  @ParameterizedTest(name = "LUN {0}")
  @ValueSource(ints = {0, 1, 2, 3})
  void randomPiecesCoverTheWholeLunAndReadBackIntact(int lun) throws Exception {
    long seed = System.nanoTime();
    List<Piece> pieces = pieces(new Random(seed));
    List<String> writes = new ArrayList<>();
    List<String> reads = new ArrayList<>();
    for (Piece p : pieces) {
      writes.add("write -P " + p.pattern() + " " + p.offset() + " " + p.length());
      reads.add("read -P " + p.pattern() + " " + p.offset() + " " + p.length());
    }
    Collections.shuffle(reads, new Random(seed + 1));
    String what = pieces.size() + " pieces, seed " + seed;
    Result w = KarstServer.qemuIo(server.url(IQN, lun), writes);
    assertThat(w.exit()).as(what + ": " + tail(w.output())).isZero();
    assertThat(w.output()).as(what).doesNotContain("error", "failed");
    Result r = KarstServer.qemuIo(server.url(IQN, lun), reads);
    assertThat(r.exit()).as(what + ": " + tail(r.output())).isZero();
    assertThat(r.output()).as(what).doesNotContain("Pattern verification failed", "error");
  }

  @Test
  void qemuImgConvertCopiesAnImageThatCompareFindsIdentical() throws Exception {
    Path image = server.home.resolve("source.img");
    byte[] chunk = new byte[1 << 20];
    Random random = new Random(42);
    try (var out = Files.newOutputStream(image)) {
      for (long at = 0; at < DISK_BYTES; at += chunk.length) {
        random.nextBytes(chunk);
        if (at == 8L << 20) {
          java.util.Arrays.fill(chunk, (byte) 0); // a run of zeros: convert may skip it
        }
        out.write(chunk);
      }
    }
    String lun = server.url(IQN, 0);
    Result convert = KarstServer.run(600, "qemu-img", "convert", "-n", "-f", "raw", "-O", "raw",
        "-t", "none", image.toString(), lun);
    assertThat(convert.exit()).as(convert.output()).isZero();
    Result compare = KarstServer.run(600, "qemu-img", "compare", "-f", "raw", "-F", "raw",
        image.toString(), lun);
    assertThat(compare.output()).contains("Images are identical");
    assertThat(compare.exit()).isZero();

    Files.write(image, new byte[] {1}, java.nio.file.StandardOpenOption.WRITE);
    Result differ = KarstServer.run(600, "qemu-img", "compare", "-f", "raw", "-F", "raw",
        image.toString(), lun);
    assertThat(differ.output()).as("a changed byte is found").contains("Content mismatch at offset 0");
  }

  @Test
  void writesAcknowledgedWithFuaOrAFlushSurviveASigkill() throws Exception {
    // LUN 0 caches writes in the page cache; LUN 2 writes through; LUN 3 bypasses the page
    // cache. FUA writes and a flush (SYNCHRONIZE CACHE) must be on stable storage when
    // acknowledged.
    List<String> fua = List.of("write -f -P 0x61 0 1M", "write -f -P 0x62 3M 64k");
    List<String> flushed = List.of("write -P 0x63 8M 2M", "write -P 0x64 20M 4k", "flush");
    for (int lun : new int[] {0, 2, 3}) {
      Result a = KarstServer.qemuIo(server.url(IQN, lun), fua);
      assertThat(a.exit()).as(a.output()).isZero();
      Result b = KarstServer.qemuIo(server.url(IQN, lun), flushed);
      assertThat(b.exit()).as(b.output()).isZero();
    }
    server.kill();
    server.start();
    for (int lun : new int[] {0, 2, 3}) {
      Result r = KarstServer.qemuIo(server.url(IQN, lun), List.of("read -P 0x61 0 1M",
          "read -P 0x62 3M 64k", "read -P 0x63 8M 2M", "read -P 0x64 20M 4k"));
      assertThat(r.exit()).as("LUN " + lun + ": " + r.output()).isZero();
      assertThat(r.output()).as("LUN " + lun).doesNotContain("Pattern verification failed");
    }
  }

  private static String tail(String output) {
    return output.length() <= 2000 ? output : output.substring(output.length() - 2000);
  }
}
