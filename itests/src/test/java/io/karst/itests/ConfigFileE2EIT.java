package io.karst.itests;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.itests.KarstServer.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * etc/karst.conf as an administrator edits it while the server runs: a changed file is applied
 * as a difference while QEMU keeps its session (one login, the unchanged LUN's data and
 * identity intact), a broken edit is refused with its line and changes nothing, and a restart
 * brings back what the file holds.
 */
class ConfigFileE2EIT {

  private static final int PORT = 13267;
  private static final String IQN = "iqn.2026-11.io.karst:config-file";
  private static final String FIRST = KarstServer.handler("vdisk_fileio",
      KarstServer.device("disk0", 16L << 20))
      + KarstServer.iscsi(PORT, KarstServer.target(IQN, "LUN 0 disk0"));
  private static final String SECOND = KarstServer.handler("vdisk_fileio",
      KarstServer.device("disk0", 16L << 20), KarstServer.device("disk1", 8L << 20))
      + KarstServer.iscsi(PORT, KarstServer.target(IQN, "LUN 0 disk0", "LUN 1 disk1"));

  private static KarstServer server;

  @BeforeAll
  static void startServer() throws Exception {
    KarstServer.requireTools("qemu-io", "iscsi-inq");
    server = KarstServer.start("config-file", PORT, FIRST);
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private static String log() throws Exception {
    return Files.readString(server.home.resolve("data/log/karaf.log"));
  }

  private static int count(String text, String what) {
    return text.split(java.util.regex.Pattern.quote(what), -1).length - 1;
  }

  private static void awaitLog(String what, int times) throws Exception {
    for (int i = 0; i < 600 && count(log(), what) < times; i++) {
      Thread.sleep(100);
    }
    assertThat(count(log(), what)).as("log lines with '" + what + "'").isGreaterThanOrEqualTo(
        times);
  }

  /** The unit serial number (VPD 80h) of a LUN, as iscsi-inq prints it. */
  private static String serial(int lun) throws Exception {
    Result r = KarstServer.run(60, "iscsi-inq", "-e", "1", "-c", "0x80", server.url(IQN, lun));
    assertThat(r.exit()).as(r.output()).isZero();
    return r.output();
  }

  @Test
  void editsAreAppliedAsDifferencesRefusedWhenBrokenAndKeptOverARestart() throws Exception {
    Path file = server.home.resolve("etc/karst.conf");
    String serial = serial(0);
    int loginsBefore = count(log(), "logged in");

    // A session that writes, waits while the file changes, then reads back.
    CompletableFuture<Result> io = CompletableFuture.supplyAsync(() -> {
      try {
        return KarstServer.qemuIo(server.url(IQN, 0), List.of("write -P 0x5a 0 1M",
            "sleep 8000", "read -P 0x5a 0 1M"));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    awaitLog("logged in", loginsBefore + 1);
    Files.writeString(file, SECOND);
    awaitLog("karst.conf: add LUN 1 disk1 to target iscsi/" + IQN, 1);
    Result done = io.get();
    assertThat(done.exit()).as(done.output()).isZero();
    assertThat(done.output()).doesNotContain("Pattern verification failed");
    String log = log();
    assertThat(count(log, "logged in")).as("QEMU kept its session: one login")
        .isEqualTo(loginsBefore + 1);
    assertThat(log).contains("karst.conf: add device disk1 (handler vdisk_fileio)")
        .contains("karst.conf: add LUN 1 disk1 to target iscsi/" + IQN)
        .doesNotContain("reopen device disk0").doesNotContain("iSCSI stopped");
    assertThat(serial(0)).as("disk0 was not reopened: the same identity").isEqualTo(serial);
    Result lun1 = KarstServer.qemuIo(server.url(IQN, 1), List.of("write -P 0x33 0 64k",
        "read -P 0x33 0 64k"));
    assertThat(lun1.exit()).as(lun1.output()).isZero();

    Files.writeString(file, SECOND.replace("LUN 1 disk1", "LUN 1 disk1\n    LUN 2 nodisk"));
    awaitLog("is refused, nothing changed", 1);
    assertThat(log()).contains("karst.conf:20: LUN 2 refers to unknown device nodisk");
    Result lun2 = KarstServer.qemuIo(server.url(IQN, 2), List.of("read 0 4k"));
    assertThat(lun2.exit()).as("no LUN 2: " + lun2.output()).isNotZero();
    assertThat(KarstServer.qemuIo(server.url(IQN, 1), List.of("read -P 0x33 0 64k")).exit())
        .isZero();
    int fixed = count(log(), "applied: nothing differs");
    Files.writeString(file, SECOND);
    awaitLog("applied: nothing differs", fixed + 1);

    server.kill();
    server.start();
    Result back = KarstServer.qemuIo(server.url(IQN, 0), List.of("read -P 0x5a 0 1M"));
    assertThat(back.exit()).as(back.output()).isZero();
    assertThat(back.output()).doesNotContain("Pattern verification failed");
    Result back1 = KarstServer.qemuIo(server.url(IQN, 1), List.of("read -P 0x33 0 64k"));
    assertThat(back1.exit()).as("LUN 1 came back with the restart: " + back1.output()).isZero();
    assertThat(serial(0)).isEqualTo(serial);
  }
}
