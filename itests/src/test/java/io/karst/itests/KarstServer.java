package io.karst.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The server as an administrator runs it: the archive karaf-assembly builds, unpacked into
 * {@code target/<name>}, with a configuration of the test's, started with {@code bin/karaf
 * server}; and the initiators nobody here wrote (libiscsi's tools, QEMU), run as processes.
 * Where those Debian packages are missing outside CI the tests are skipped; in CI they fail.
 */
final class KarstServer implements AutoCloseable {


  final Path home;
  final int port;
  private Process process;

  private KarstServer(Path home, int port) {
    this.home = home;
    this.port = port;
  }

  /** Skips the test unless the tools are installed; fails it in CI, which installs them. */
  static void requireTools(String... tools) {
    for (String tool : tools) {
      boolean present = onPath(tool);
      if (System.getenv("CI") != null) {
        assertThat(present).as(tool + " is installed (CI installs it: see .ci/run)").isTrue();
      }
      assumeTrue(present, tool + " is not installed: apt-get install -y libiscsi-bin "
          + "qemu-utils qemu-block-extra");
    }
  }

  /** Unpacks a fresh server under target/{@code name}, writes its configuration, starts it. */
  static KarstServer start(String name, int port, String config) throws Exception {
    KarstServer server = unpack(name, port, config);
    server.start();
    return server;
  }

  /**
   * Unpacks a fresh server under target/{@code name} and writes its configuration, without
   * starting it, for a test that changes more of {@code etc/} first ({@link #setting}). Karaf's
   * own ports move with {@code port}, so that no server of a test meets another on Karaf's
   * defaults: ssh on {@code port + 1000}, the JMX registry and server on {@code port + 2000}
   * and {@code port + 3000}.
   */
  static KarstServer unpack(String name, int port, String config) throws Exception {
    Path work = Path.of("target", name).toAbsolutePath();
    deleteTree(work);
    Files.createDirectories(work);
    String archive = System.getProperty("karst.server.archive");
    assertThat(run(60, "tar", "-xzf", archive, "-C", work.toString()).exit()).isZero();
    Path home;
    try (var dirs = Files.list(work)) {
      home = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
    }
    Files.writeString(home.resolve("etc/karst.conf"), config);
    KarstServer server = new KarstServer(home, port);
    server.setting("org.apache.karaf.shell.cfg", "sshPort", String.valueOf(server.sshPort()));
    server.setting("org.apache.karaf.management.cfg", "rmiRegistryPort",
        String.valueOf(port + 2000));
    server.setting("org.apache.karaf.management.cfg", "rmiServerPort",
        String.valueOf(port + 3000));
    return server;
  }

  private int sshPort() {
    return port + 1000;
  }

  /** Sets {@code key} in the Karaf configuration file {@code etc/<file>}, replacing its line. */
  void setting(String file, String key, String value) throws IOException {
    Path cfg = home.resolve("etc").resolve(file);
    List<String> lines = new ArrayList<>(Files.exists(cfg) ? Files.readAllLines(cfg) : List.of());
    String line = key + " = " + value;
    boolean found = false;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).matches("\\s*" + java.util.regex.Pattern.quote(key) + "\\s*[=:].*")) {
        lines.set(i, line);
        found = true;
      }
    }
    if (!found) {
      lines.add(line);
    }
    Files.write(cfg, lines);
  }

  /**
   * Runs a Karaf shell command as an administrator's script does, through {@code bin/client}
   * with the administration key the server generated at its first start, and returns what it
   * printed (without colours). Waits for the shell to come up; fails on a command error.
   */
  String shell(String command) throws Exception {
    return shell(command, false);
  }

  /** Runs a shell command as {@link #shell} does, one the server is to refuse: its error. */
  String shellRefused(String command) throws Exception {
    return shell(command, true);
  }

  private String shell(String command, boolean refused) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (true) {
      Result r = shellOnce(command);
      String out = r.output().replaceAll("\u001B\\[[0-9;]*m", "")
          .replaceAll("(?m)^client: JAVA_HOME not set.*\n", "");
      boolean notUp = !Files.exists(home.resolve("etc/karst-admin.key"))
          || out.contains("Failed to get the session") || out.contains("Connection refused");
      if (!notUp && refused) {
        assertThat(out).as("karaf@karst> " + command).contains("Error executing command");
        return out;
      }
      if (!notUp) {
        assertThat(out).as("karaf@karst> " + command).doesNotContain("Error executing command");
        assertThat(r.exit()).as("karaf@karst> " + command + ": " + out).isZero();
        return out;
      }
      assertThat(System.nanoTime()).as("the shell answers within 180 s: " + out)
          .isLessThan(deadline);
      Thread.sleep(1000);
    }
  }

  private Result shellOnce(String command) throws Exception {
    if (!Files.exists(home.resolve("etc/karst-admin.key"))) {
      return new Result(1, "no administration key yet");
    }
    Path in = Files.createTempFile("karst-shell", ".in");
    try {
      Files.writeString(in, command + "\n");
      Path out = Files.createTempFile("karst-shell", ".out");
      try {
        Process p = new ProcessBuilder(home.resolve("bin/client").toString(), "-u", "karst",
            "-k", home.resolve("etc/karst-admin.key").toString(), "-p",
            String.valueOf(sshPort()), "-b")
            .directory(home.toFile()).redirectErrorStream(true)
            .redirectInput(in.toFile()).redirectOutput(out.toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new AssertionError("karaf@karst> " + command + " did not finish in 300 s");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
      }
    } finally {
      Files.deleteIfExists(in);
    }
  }

  /** Starts the unpacked server and waits until it listens. */
  void start() throws Exception {
    process = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
        .directory(home.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("server.out").toFile()))
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    try {
      while (!listening()) {
        assertThat(process.isAlive()).as("server is running (see " + home + "/data/log)")
            .isTrue();
        assertThat(System.nanoTime()).as("server listens on " + port + " within 180 s")
            .isLessThan(deadline);
        Thread.sleep(250);
      }
    } catch (Throwable e) {
      // The test that started it gets no server to close: a server that never listened would
      // otherwise outlive the build, holding its ports.
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      throw e;
    }
  }

  /**
   * Kills the Karaf JVM with SIGKILL, as a power loss or the OOM killer would: nothing in the
   * server gets to run, no shutdown hook, no flush. Returns once the port is free.
   */
  void kill() throws Exception {
    ProcessHandle jvm = process.descendants()
        .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
        .findFirst().orElseThrow(() -> new AssertionError("no Karaf JVM under bin/karaf"));
    assertThat(jvm.destroyForcibly()).isTrue();
    jvm.onExit().get(60, TimeUnit.SECONDS);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (listening()) {
      assertThat(System.nanoTime()).as("port " + port + " free after the kill")
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  /** Stops the server the way an administrator does (bin/stop), killing it if that hangs. */
  @Override
  public void close() throws Exception {
    if (process == null || !process.isAlive()) {
      return;
    }
    run(60, home.resolve("bin/stop").toString());
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  /** A DEVICE block for a vdisk handler: a file of its own, created at {@code bytes}. */
  static String device(String name, long bytes, String... attributes) {
    StringBuilder b = new StringBuilder("  DEVICE " + name + " {\n    filename " + name
        + ".img\n    size " + bytes + "\n    create 1\n");
    for (String a : attributes) {
      b.append("    ").append(a).append('\n');
    }
    return b.append("  }\n").toString();
  }

  /** A HANDLER block with these DEVICE blocks. */
  static String handler(String name, String... devices) {
    return "HANDLER " + name + " {\n" + String.join("", devices) + "}\n";
  }

  /** The iscsi TARGET_DRIVER block, listening on 127.0.0.1:{@code port}, with these targets. */
  static String iscsi(int port, String... targets) {
    return "TARGET_DRIVER iscsi {\n  enabled 1\n  portals 127.0.0.1:" + port + "\n"
        + String.join("", targets) + "}\n";
  }

  /** An enabled TARGET block with these lines (LUNs, attributes). */
  static String target(String name, String... lines) {
    StringBuilder b = new StringBuilder("  TARGET " + name + " {\n    enabled 1\n");
    for (String l : lines) {
      b.append("    ").append(l).append('\n');
    }
    return b.append("  }\n").toString();
  }

  /** The iscsi:// URL of a LUN of a target of this server. */
  String url(String target, int lun) {
    return "iscsi://127.0.0.1:" + port + "/" + target + "/" + lun;
  }

  String portal() {
    return "iscsi://127.0.0.1:" + port;
  }

  /** qemu-io on a LUN, without the host page cache, running the commands in order. */
  static Result qemuIo(String url, List<String> commands) throws Exception {
    return qemuIo(List.of("-f", "raw", url), commands);
  }

  /**
   * qemu-io on an image QEMU's iSCSI driver opens from options (initiator name, CHAP user,
   * digests: {@code driver=iscsi,transport=tcp,portal=...,target=...,lun=...}), without the
   * host page cache.
   */
  static Result qemuIoWithOptions(String imageOptions, List<String> commands) throws Exception {
    return qemuIo(List.of("--image-opts", imageOptions), commands);
  }

  private static Result qemuIo(List<String> image, List<String> commands) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("qemu-io", "--cache", "none"));
    for (String c : commands) {
      cmd.add("-c");
      cmd.add(c);
    }
    cmd.addAll(image);
    return run(600, cmd.toArray(String[]::new));
  }

  boolean listening() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  /** What a process printed, with its exit status. */
  record Result(int exit, String output) {}

  static Result run(int seconds, String... cmd) throws Exception {
    Path out = Files.createTempFile("karst-e2e", ".out");
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
          .start();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", cmd) + " did not finish in " + seconds + " s: "
            + Files.readString(out, StandardCharsets.UTF_8));
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
