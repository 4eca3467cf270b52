package io.karst.itests;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.itests.KarstServer.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vcdrom LUN as initiators see it: libiscsi finds a CD-ROM with a removable medium, QEMU
 * copies the disc and gets the image back byte for byte, and an empty drive is not ready. The
 * image is 2048-byte sectors of random bytes: the block commands need no file system in it.
 */
class VcdromE2EIT {

  private static final int PORT = 13275;
  private static final String IQN = "iqn.2026-11.io.karst:vcdrom";
  private static final int SECTORS = 3000;

  @TempDir
  static Path dir;
  private static Path iso;
  private static KarstServer server;

  @BeforeAll
  static void startServer() throws Exception {
    KarstServer.requireTools("iscsi-inq", "qemu-img", "qemu-io");
    iso = dir.resolve("disc.iso");
    byte[] bytes = new byte[SECTORS * 2048];
    new Random(42).nextBytes(bytes);
    Files.write(iso, bytes);
    server = KarstServer.start("vcdrom", PORT, "HANDLER vcdrom {\n"
        + "  DEVICE cd0 {\n    filename " + iso + "\n  }\n"
        + "  DEVICE empty {\n  }\n"
        + "}\n"
        + KarstServer.iscsi(PORT, KarstServer.target(IQN, "LUN 0 cd0", "LUN 1 empty")));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void libiscsiSeesACdRomWithARemovableMedium() throws Exception {
    Result r = KarstServer.run(60, "iscsi-inq", server.url(IQN, 0));
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("Peripheral Device Type:MMC").contains("Removable:1");
    Result pages = KarstServer.run(60, "iscsi-inq", "-e", "1", "-c", "0", server.url(IQN, 0));
    assertThat(pages.exit()).as(pages.output()).isZero();
    assertThat(pages.output()).contains("Page:0x80").contains("Page:0x83")
        .doesNotContain("Page:0xb0");
  }

  @Test
  void qemuReadsTheDiscBackIdentical() throws Exception {
    Path copy = dir.resolve("copy.img");
    Result r = KarstServer.run(300, "qemu-img", "convert", "-f", "raw", "-O", "raw",
        server.url(IQN, 0), copy.toString());
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(Files.mismatch(iso, copy)).isEqualTo(-1L);
    Result last = KarstServer.qemuIo(server.url(IQN, 0),
        List.of("read -v " + (SECTORS - 1) * 2048L + " 16"));
    assertThat(last.exit()).as(last.output()).isZero();
  }

  @Test
  void writesAreRefused() throws Exception {
    Result r = KarstServer.qemuIo(server.url(IQN, 0), List.of("write -P 7 0 2048"));
    assertThat(r.output()).contains("WRITE_PROTECTED").doesNotContain("wrote 2048/2048");
  }

  @Test
  void anEmptyDriveIsThereWithoutAMedium() throws Exception {
    Result inq = KarstServer.run(60, "iscsi-inq", server.url(IQN, 1));
    assertThat(inq.exit()).as(inq.output()).isZero();
    assertThat(inq.output()).contains("Peripheral Device Type:MMC");
    Result r = KarstServer.qemuIo(server.url(IQN, 1), List.of("read 0 2048"));
    assertThat(r.exit()).as(r.output()).isNotZero();
    assertThat(r.output()).contains("readcapacity");
  }
}
