package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The driver against a real initiator, libiscsi's command line tools, where they are
 * installed: discovery, login, SPC and block commands over a small fake device (QEMU writing
 * and reading the whole disk), libiscsi's iSCSI test suite, logout.
 */
class LibiscsiTest {

  private final IscsiTargetDriver driver = new IscsiTargetDriver();
  private final FakeCore core = new FakeCore(FakeCore.settings("nop_in_interval", "1"));
  private String portal;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/iscsi-ls")), "libiscsi tools absent");
    core.behaviour = FakeCore::block;
    driver.start(core);
    portal = "127.0.0.1:" + driver.boundPortals().get(0).getPort();
  }

  @AfterEach
  void stop() {
    driver.stop();
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("finished").isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void iscsiLsDiscoversAndShowsTheLun() throws Exception {
    String out = run("iscsi-ls", "-s", "-i", "iqn.2026-11.test:initiator", "iscsi://" + portal);
    assertThat(out).contains("Target:iqn.2026-11.test:disk").contains("Lun:0")
        .contains("DIRECT_ACCESS").doesNotContain("iqn.2026-11.test:off").doesNotContain("iqn.2026-11.test:secret");
    assertThat(core.initiators).contains("iqn.2026-11.test:initiator");
  }

  @Test
  void qemuWritesAndReadsTheDiskBack(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-img")), "qemu-img absent");
    byte[] image = new byte[core.disk.length];
    new java.util.Random(7).nextBytes(image);
    Path in = dir.resolve("in.raw");
    Path out = dir.resolve("out.raw");
    Files.write(in, image);
    String url = "iscsi://" + portal + "/iqn.2026-11.test:disk/0";
    run("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", in.toString(), url);
    assertThat(core.disk).isEqualTo(image);
    run("qemu-img", "convert", "-f", "raw", "-O", "raw", url, out.toString());
    assertThat(Files.readAllBytes(out)).isEqualTo(image);
  }

  /** libiscsi's own iSCSI suite: CmdSN window, DataSN, residuals, task management. */
  @Test
  void iscsiTestCuPassesItsIscsiSuite() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/iscsi-test-cu")), "iscsi-test-cu absent");
    String out = run("iscsi-test-cu", "-t", "iSCSI", "-i", "iqn.2026-11.test:initiator", "--dataloss",
        "iscsi://" + portal + "/iqn.2026-11.test:disk/0");
    assertThat(out).containsPattern("tests\\s+(\\d+)\\s+\\1\\s+\\1\\s+0\\s+0");
  }

  @Test
  void iscsiInqReadsTheStandardInquiry() throws Exception {
    String out = run("iscsi-inq", "-i", "iqn.2026-11.test:initiator",
        "iscsi://" + portal + "/iqn.2026-11.test:disk/0");
    assertThat(out).contains("KARST").contains("TEST DISK");
  }
}
