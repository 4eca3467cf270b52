package io.karst.itests;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.itests.KarstServer.Result;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Drives the server, started as an administrator would ({@link KarstServer}), with initiators
 * nobody here wrote: libiscsi's command line tools and QEMU's iSCSI block driver.
 */
class InitiatorE2EIT {

  private static final int PORT = 13261;
  private static final String IQN = "iqn.2026-11.io.karst:e2e";
  private static final long DISK_BYTES = 64L << 20;
  /** A target that requires CHAP and answers mutual CHAP, on a disk of its own. */
  private static final String CHAP_IQN = "iqn.2026-11.io.karst:e2e-chap";
  private static final String SECRET = "initiator-secret-1";
  private static final String TARGET_SECRET = "target-secret-22";

  private static KarstServer server;
  private static String portal;
  private static String lun0;

  @BeforeAll
  static void startServer() throws Exception {
    KarstServer.requireTools("iscsi-ls", "iscsi-inq", "iscsi-readcapacity16", "qemu-io");
    server = KarstServer.start("e2e", PORT, KarstServer.handler("vdisk_fileio",
            KarstServer.device("disk0", DISK_BYTES), KarstServer.device("disk1", 16L << 20),
            KarstServer.device("growing", 16L << 20))
        + KarstServer.iscsi(PORT,
            KarstServer.target(IQN, "LUN 0 disk0", "LUN 1 growing"),
            KarstServer.target(CHAP_IQN, "IncomingUser \"joe " + SECRET + "\"",
                "OutgoingUser \"tgt " + TARGET_SECRET + "\"", "LUN 0 disk1")));
    portal = server.portal();
    lun0 = server.url(IQN, 0);
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /**
   * iscsi-ls logs in to every target discovery lists, with the URL's credentials: CHAP ones
   * for the CHAP target, and the target without users takes them as None.
   */
  @Test
  void discoveryListsTheTargetsAndTheirLuns() throws Exception {
    Result r = run(60, "iscsi-ls", "-s", "iscsi://joe%" + SECRET + "@127.0.0.1:" + PORT);
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("Target:" + IQN, "Target:" + CHAP_IQN)
        .containsPattern("Lun:0\\s+Type:DIRECT_ACCESS");
    Result anonymous = run(60, "iscsi-ls", "-s", portal);
    assertThat(anonymous.output()).as("discovery names the CHAP target, its login is refused")
        .contains("Target:" + CHAP_IQN, "Authentication failure");
  }

  /**
   * The size of a running disk changed from the shell while libiscsi holds a session to it:
   * the session gets CAPACITY DATA HAS CHANGED once, READ CAPACITY (16) the new size.
   */
  @Test
  void aSizeChangedAtRunTimeReachesAnOpenSession() throws Exception {
    KarstServer.requireTools("python3");
    try (LibiscsiSession session =
        new LibiscsiSession(PORT, IQN, "iqn.2026-11.io.karst.test:resize", 1)) {
      assertThat(session.send("tur 1")).isEqualTo("good");
      server.shell("karst:attr-set /devices/growing size 24M");
      assertThat(session.send("tur 1")).isEqualTo("status 2 sense 6/2a/09");
      assertThat(session.send("tur 1")).isEqualTo("good");
    }
    Result r = run(60, "iscsi-readcapacity16", server.url(IQN, 1));
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("Total size:" + (24L << 20));
  }

  @Test
  void inquiryNamesTheDevice() throws Exception {
    Result r = run(60, "iscsi-inq", lun0);
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("Peripheral Device Type:DIRECT_ACCESS").contains("Vendor:KARST");
  }

  @Test
  void readCapacity16ReportsTheConfiguredSize() throws Exception {
    Result r = run(60, "iscsi-readcapacity16", lun0);
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output())
        .contains("LOGICAL BLOCK LENGTH IN BYTES:512")
        .contains("Total size:" + DISK_BYTES);
  }

  @Test
  void qemuWritesPatternsAndReadsThemBack() throws Exception {
    // Offsets cover the first block, unaligned-to-the-burst middles, a multi-PDU transfer and
    // the last block of the disk.
    long last = DISK_BYTES - 512;
    Result w = qemuIo(
        "write -P 0xa5 0 4k",
        "write -P 0x5a 1M 256k",
        "write -P 0x3c 5000192 1M",
        "write -P 0x11 " + last + " 512");
    assertThat(w.exit()).as(w.output()).isZero();
    assertThat(w.output()).doesNotContain("error", "failed");

    Result r = qemuIo(
        "read -P 0xa5 0 4k",
        "read -P 0x5a 1M 256k",
        "read -P 0x3c 5000192 1M",
        "read -P 0x11 " + last + " 512",
        "read -P 0x00 8M 64k");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).doesNotContain("Pattern verification failed", "error");

    Result wrong = qemuIo("read -P 0x5a 0 4k");
    assertThat(wrong.output()).as("a wrong pattern is noticed").contains("Pattern verification failed");
    assertThat(wrong.exit()).isNotZero();
  }

  private static String chapLun(String credentials, String arguments) {
    return "iscsi://" + credentials + "127.0.0.1:" + PORT + "/" + CHAP_IQN + "/0" + arguments;
  }

  @Test
  void chapLetsTheRightInitiatorInBothWaysAndNoOneElse() throws Exception {
    Result oneWay = run(60, "iscsi-inq", chapLun("joe%" + SECRET + "@", ""));
    assertThat(oneWay.exit()).as(oneWay.output()).isZero();
    assertThat(oneWay.output()).contains("Vendor:KARST");

    Result mutual = run(60, "iscsi-inq", chapLun("joe%" + SECRET + "@",
        "?target_user=tgt&target_password=" + TARGET_SECRET));
    assertThat(mutual.exit()).as(mutual.output()).isZero();

    Result impostor = run(60, "iscsi-inq", chapLun("joe%" + SECRET + "@",
        "?target_user=tgt&target_password=not-the-target-secret"));
    assertThat(impostor.exit()).as("libiscsi checks the target's answer").isNotZero();
    assertThat(impostor.output()).contains("Invalid CHAP_R");

    for (String credentials : List.of("joe%wrong-secret-123@", "eve%" + SECRET + "@", "")) {
      Result refused = run(60, "iscsi-inq", chapLun(credentials, ""));
      assertThat(refused.exit()).as(credentials).isNotZero();
      assertThat(refused.output()).contains("Authentication failure");
    }
  }

  @Test
  void qemuWithChapAndHeaderDigestsWritesAndReadsBack() throws Exception {
    Result r = KarstServer.qemuIoWithOptions("driver=iscsi,transport=tcp,portal=127.0.0.1:"
        + PORT + ",target=" + CHAP_IQN + ",lun=0,user=joe,password=" + SECRET
        + ",header-digest=crc32c", List.of("write -P 0xc3 0 1M", "write -P 0x3c 3000064 300k",
        "read -P 0xc3 0 1M", "read -P 0x3c 3000064 300k", "read -P 0 8M 64k"));
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).doesNotContain("Pattern verification failed", "error");
    assertThat(Files.readString(server.home.resolve("data/log/karaf.log")))
        .as("the session used header digests")
        .contains("logged in as CHAP user joe, header digest CRC32C");
  }

  private static Result qemuIo(String... commands) throws Exception {
    return KarstServer.qemuIo(lun0, List.of(commands));
  }

  private static Result run(int seconds, String... cmd) throws Exception {
    return KarstServer.run(seconds, cmd);
  }
}
