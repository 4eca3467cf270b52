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

  /**
   * libiscsi's own checks of REPORT SUPPORTED OPERATION CODES on the drive: the list, each
   * command asked for alone by operation code or service action, and the timeouts descriptors.
   */
  @Test
  void libiscsiChecksTheReportOfSupportedOperationCodes() throws Exception {
    KarstServer.requireTools("iscsi-test-cu");
    Result r = KarstServer.run(120, "iscsi-test-cu", "-t", "ALL.ReportSupportedOpcodes",
        server.url(IQN, 0));
    assertThat(r.output()).as(r.output()).contains("Test: Simple ...passed",
        "Test: OneCommand ...passed", "Test: RCTD ...passed", "Test: SERVACTV ...passed");
    assertThat(r.exit()).as(r.output()).isZero();
  }

  private static final int CHECK_CONDITION = 0x02;

  private static IscsiInitiator login(String name, long isid) throws Exception {
    return new IscsiInitiator(PORT, name, isid, IQN);
  }

  private static byte[] cdb(int... bytes) {
    byte[] b = new byte[16];
    for (int i = 0; i < bytes.length; i++) {
      b[i] = (byte) bytes[i];
    }
    return b;
  }

  private static final byte[] TEST_UNIT_READY = cdb(0x00);
  private static final byte[] EJECT = cdb(0x1B, 0, 0, 0, 0x02, 0);
  private static final byte[] LOAD = cdb(0x1B, 0, 0, 0, 0x03, 0);
  /** GET EVENT STATUS NOTIFICATION, polled, media class. */
  private static final byte[] MEDIA_EVENT = cdb(0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8, 0);

  /** TEST UNIT READY until GOOD, past the unit attentions of a new session. */
  private static void ready(IscsiInitiator i) throws Exception {
    for (int n = 0; n < 8; n++) {
      IscsiInitiator.Response r = i.command(TEST_UNIT_READY, new byte[0], 0);
      if (r.status() == 0) {
        return;
      }
      assertThat(r.senseCode()).startsWith("6/");
    }
    throw new AssertionError("never ready");
  }

  private static String sense(IscsiInitiator i, byte[] cdb) throws Exception {
    IscsiInitiator.Response r = i.command(cdb, new byte[0], 0);
    assertThat(r.status()).isEqualTo(CHECK_CONDITION);
    return r.senseCode();
  }

  private static void good(IscsiInitiator i, byte[] cdb) throws Exception {
    IscsiInitiator.Response r = i.command(cdb, new byte[0], 0);
    assertThat(r.status()).as(r.senseCode()).isZero();
  }

  /** The media event code and media status of a GET EVENT STATUS NOTIFICATION. */
  private static String mediaEvent(IscsiInitiator i) throws Exception {
    IscsiInitiator.Response r = i.command(MEDIA_EVENT, new byte[0], 8);
    assertThat(r.status()).as(r.senseCode()).isZero();
    return (r.data()[4] & 0x0F) + "/" + (r.data()[5] & 0x03);
  }

  /**
   * The disc leaves and comes back through the running server, with two initiators: removal
   * prevented by one refuses the other's eject; an eject opens the tray; a load brings the
   * disc back with a media event and the unit attention on both nexuses, which the event
   * polling does not consume.
   */
  @Test
  void ejectAndLoadReachEveryInitiator() throws Exception {
    try (IscsiInitiator a = login("iqn.2026-11.io.karst:cd-a", 0x400000000011L);
        IscsiInitiator b = login("iqn.2026-11.io.karst:cd-b", 0x400000000012L)) {
      ready(a);
      ready(b);
      good(a, cdb(0x1E, 0, 0, 0, 0x01, 0));
      assertThat(sense(b, EJECT)).as("MEDIUM REMOVAL PREVENTED").isEqualTo("5/53/02");
      good(a, cdb(0x1E, 0, 0, 0, 0x00, 0));
      good(b, EJECT);
      assertThat(sense(a, TEST_UNIT_READY)).as("MEDIUM NOT PRESENT - TRAY OPEN")
          .isEqualTo("2/3a/02");
      assertThat(mediaEvent(a)).as("media removal, tray open").isEqualTo("3/1");
      good(b, LOAD);
      assertThat(mediaEvent(a)).as("new media, present").isEqualTo("2/2");
      assertThat(sense(a, TEST_UNIT_READY)).as("MEDIUM MAY HAVE CHANGED").isEqualTo("6/28/00");
      good(a, TEST_UNIT_READY);
      assertThat(sense(b, TEST_UNIT_READY)).isEqualTo("6/28/00");
      IscsiInitiator.Response sector = a.command(cdb(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0),
          new byte[0], 2048);
      assertThat(sector.data()).isEqualTo(java.util.Arrays.copyOf(Files.readAllBytes(iso), 2048));
    }
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
