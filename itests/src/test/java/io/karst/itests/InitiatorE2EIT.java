package io.karst.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.karst.itests.ServerProcess.Result;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Starts the server as an administrator would (the archive karaf-assembly builds, bin/karaf)
 * and drives it with initiators nobody here wrote: libiscsi's command line tools and QEMU's
 * iSCSI block driver. They are Debian packages (libiscsi-bin, qemu-utils, qemu-block-extra)
 * that CI installs; where they are missing outside CI the tests are skipped, in CI they fail.
 */
class InitiatorE2EIT {

  private static final int PORT = 13261;
  private static final String IQN = "iqn.2026-11.io.karst:e2e";
  private static final String PORTAL = "iscsi://127.0.0.1:" + PORT;
  private static final String LUN0 = PORTAL + "/" + IQN + "/0";
  private static final long DISK_BYTES = 64L << 20;

  private static ServerProcess server;

  @BeforeAll
  static void startServer() throws Exception {
    for (String tool : List.of("iscsi-ls", "iscsi-inq", "iscsi-readcapacity16", "qemu-io")) {
      boolean present = onPath(tool);
      if (System.getenv("CI") != null) {
        assertThat(present).as(tool + " is installed (CI installs it: see .ci/run)").isTrue();
      }
      assumeTrue(present, tool + " is not installed: apt-get install -y libiscsi-bin qemu-utils qemu-block-extra");
    }
    server = ServerProcess.unpack(Path.of("target", "e2e").toAbsolutePath(), PORT, IQN,
        DISK_BYTES);
    server.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void discoveryListsTheTargetAndItsLun() throws Exception {
    Result r = ServerProcess.run(60, "iscsi-ls", "-s", PORTAL);
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("Target:" + IQN).containsPattern("Lun:0\\s+Type:DIRECT_ACCESS");
  }

  @Test
  void inquiryNamesTheDevice() throws Exception {
    Result r = ServerProcess.run(60, "iscsi-inq", LUN0);
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("Peripheral Device Type:DIRECT_ACCESS").contains("Vendor:KARST");
  }

  @Test
  void readCapacity16ReportsTheConfiguredSize() throws Exception {
    Result r = ServerProcess.run(60, "iscsi-readcapacity16", LUN0);
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
    List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", "raw", "--cache", "none"));
    for (String c : commands) {
      cmd.add("-c");
      cmd.add(c);
    }
    cmd.add(LUN0);
    return ServerProcess.run(120, cmd.toArray(String[]::new));
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
