package io.karst.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The built server as an administrator runs it: the archive karaf-assembly builds, unpacked,
 * given a configuration, and started with {@code bin/karaf server}.
 */
final class ServerProcess {

  /** The outcome of a command line tool. */
  record Result(int exit, String output) {}

  final Path home;
  private final int port;
  private Process script;

  private ServerProcess(Path home, int port) {
    this.home = home;
    this.port = port;
  }

  /**
   * Unpacks a fresh server under {@code work}, configured with one iSCSI target on
   * {@code port} whose LUN 0 is a {@code vdisk_fileio} disk of {@code bytes}.
   */
  static ServerProcess unpack(Path work, int port, String target, long bytes)
      throws Exception {
    return unpack(work, port, String.join("\n",
        "HANDLER vdisk_fileio {",
        "  DEVICE disk0 {",
        "    filename disk0.img",
        "    size " + bytes,
        "    create 1",
        "  }",
        "}",
        "TARGET_DRIVER iscsi {",
        "  enabled 1",
        "  portals 127.0.0.1:" + port,
        "  TARGET " + target + " {",
        "    enabled 1",
        "    LUN 0 disk0",
        "  }",
        "}",
        ""));
  }

  /** Unpacks a fresh server under {@code work} and writes its {@code etc/karst.conf}. */
  static ServerProcess unpack(Path work, int port, String karstConf) throws Exception {
    deleteTree(work);
    Files.createDirectories(work);
    String archive = System.getProperty("karst.server.archive");
    assertThat(run(60, "tar", "-xzf", archive, "-C", work.toString()).exit).isZero();
    Path home;
    try (var dirs = Files.list(work)) {
      home = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
    }
    Files.writeString(home.resolve("etc/karst.conf"), karstConf);
    return new ServerProcess(home, port);
  }

  /** Starts the server and waits until its iSCSI portal accepts connections. */
  void start() throws Exception {
    script = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
        .directory(home.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("server.out").toFile()))
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (!listening()) {
      assertThat(script.isAlive()).as("server is running (see " + home + "/data/log)").isTrue();
      assertThat(System.nanoTime()).as("server listens on " + port + " within 180 s")
          .isLessThan(deadline);
      Thread.sleep(250);
    }
  }

  /**
   * Kills the Karaf JVM with SIGKILL, as a power loss or the OOM killer would: nothing in
   * the server gets to run, no shutdown hook, no flush.
   */
  void kill() throws Exception {
    ProcessHandle jvm = script.descendants()
        .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
        .findFirst().orElseThrow(() -> new AssertionError("no Karaf JVM under bin/karaf"));
    assertThat(jvm.destroyForcibly()).isTrue();
    jvm.onExit().get(60, TimeUnit.SECONDS);
    if (!script.waitFor(60, TimeUnit.SECONDS)) {
      script.destroyForcibly();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (listening() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(listening()).as("nothing listens once the JVM is dead").isFalse();
  }

  /** Stops the server the ordinary way, and forcibly when that does not work. */
  void stop() throws Exception {
    if (script == null) {
      return;
    }
    run(60, home.resolve("bin/stop").toString());
    if (!script.waitFor(60, TimeUnit.SECONDS)) {
      script.descendants().forEach(ProcessHandle::destroyForcibly);
      script.destroyForcibly();
    }
  }

  private boolean listening() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static Result run(int seconds, String... cmd) throws Exception {
    Path out = Files.createTempFile("karst-e2e", ".out");
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
          .start();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", cmd) + " did not finish in " + seconds
            + " s: " + Files.readString(out, StandardCharsets.UTF_8));
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
