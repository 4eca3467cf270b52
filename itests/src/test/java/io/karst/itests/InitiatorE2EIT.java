package io.karst.itests;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.itests.KarstServer.Result;
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

  private static KarstServer server;
  private static String portal;
  private static String lun0;

  @BeforeAll
  static void startServer() throws Exception {
    KarstServer.requireTools("iscsi-ls", "iscsi-inq", "iscsi-readcapacity16", "qemu-io");
    server = KarstServer.start("e2e", PORT, String.join("\n",
        "HANDLER vdisk_fileio {",
        "  DEVICE disk0 {",
        "    filename disk0.img",
        "    size " + DISK_BYTES,
        "    create 1",
        "  }",
        "}",
        "TARGET_DRIVER iscsi {",
        "  enabled 1",
        "  portals 127.0.0.1:" + PORT,
        "  TARGET " + IQN + " {",
        "    enabled 1",
        "    LUN 0 disk0",
        "  }",
        "}",
        ""));
    portal = server.portal();
    lun0 = server.url(IQN, 0);
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void discoveryListsTheTargetAndItsLun() throws Exception {
    Result r = run(60, "iscsi-ls", "-s", portal);
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("Target:" + IQN).containsPattern("Lun:0\\s+Type:DIRECT_ACCESS");
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

  private static Result qemuIo(String... commands) throws Exception {
    return KarstServer.qemuIo(lun0, List.of(commands));
  }

  private static Result run(int seconds, String... cmd) throws Exception {
    return KarstServer.run(seconds, cmd);
  }
}
