package io.karst.itests;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.itests.KarstServer.Result;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hot deployment under I/O, as an administrator does it from the shell ({@code bin/client}):
 * {@code bundle:update} of the vdisk handlers and {@code feature:uninstall} and {@code
 * feature:install} of the iSCSI driver while QEMU writes, and the example vendor handler
 * installed, used, uninstalled, then dropped into {@code deploy/} and removed.
 *
 * <p>While a handler is away its LUNs answer NOT READY, by design, and {@code qemu-img bench}
 * ends at its first failed request, by its own design; so the load runs bench again and
 * again, and the data is checked by a separate writer that records what was acknowledged.
 * What must hold: the server lives, I/O resumes (on the same session, or on a new one after
 * the driver returned), and every write acknowledged with FUA reads back.
 */
class HotDeploymentE2EIT {

  private static final int PORT = 13267;
  private static final String IQN = "iqn.2026-11.io.karst:hot";
  private static final String READER = "iqn.2026-11.io.karst:reader";
  private static final long DISK_BYTES = 64L << 20;

  private static KarstServer server;

  @BeforeAll
  static void startServer() throws Exception {
    KarstServer.requireTools("qemu-io", "qemu-img");
    // ram0 names the example handler, which is not installed: the device waits for it.
    server = KarstServer.unpack("hotdeploy", PORT, KarstServer.handler("vdisk_fileio",
            KarstServer.device("data", DISK_BYTES), KarstServer.device("load", DISK_BYTES))
        + "HANDLER example_ramdisk {\n  DEVICE ram0 {\n    size 16M\n  }\n}\n"
        + KarstServer.iscsi(PORT, KarstServer.target(IQN, "LUN 0 data", "LUN 1 load",
            "LUN 2 ram0", "GROUP readers {", "  LUN 0 data {", "    read_only 1", "  }",
            "  INITIATOR " + READER, "}")));
    // Features of vendors come from the Maven repository the build installed them into.
    server.setting("org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository",
        System.getProperty("maven.repo.local"));
    server.start();
    server.shell("bundle:list");
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void vdiskUpdatedAndReinstalledUnderIoKeepsEveryAcknowledgedWriteAndCore() throws Exception {
    String coreBefore = bundleLine("Karst Core");
    String vdisk = bundleLine("Karst vdisk");
    String vdiskId = vdisk.substring(0, vdisk.indexOf('|')).trim();
    Checked before = Checked.write(server.url(IQN, 0), 48L << 20, 0xa1);
    long logFrom = logSize();

    try (Load load = new Load(server.url(IQN, 1));
        AckedWriter writer = new AckedWriter(server.url(IQN, 0), 0, 24L << 20)) {
      writer.awaitRounds(20);
      server.shell("bundle:update " + vdiskId);
      assertThat(bundleLine("Karst vdisk")).as("updated in place").startsWith(vdiskId + " ")
          .contains("Active");
      awaitVdisks();
      int updated = resumed(writer, load);

      server.shell("feature:uninstall karst-vdisk");
      assertThat(server.shell("bundle:list")).doesNotContain("Karst vdisk");
      awaitDevice("data", "OFFLINE");
      server.shell("feature:install karst-vdisk");
      awaitVdisks();
      int reinstalled = resumed(writer, load);

      writer.finish();
      System.out.println("bundle:update, feature:uninstall and feature:install of karst-vdisk: "
          + writer + ", " + load);
      assertThat(writer.acknowledgedFrom(updated)).as("writes acknowledged after the update")
          .isPositive();
      assertThat(writer.acknowledgedFrom(reinstalled))
          .as("writes acknowledged after the reinstallation").isPositive();
      writer.verify();
    }

    assertThat(bundleLine("Karst Core")).as("core is neither reinstalled nor stopped")
        .isEqualTo(coreBefore).contains("Active");
    assertThat(loggedSince(logFrom)).as("the iSCSI driver and its sessions stay up")
        .noneMatch(l -> l.contains("iSCSI stopped"));
    assertCoreNotRefreshedSince(logFrom);
    before.verify();
    Checked.write(server.url(IQN, 0), 52L << 20, 0xa3).verify();
  }

  private static long logSize() throws IOException {
    return Files.size(server.home.resolve("data/log/karaf.log"));
  }

  private static List<String> loggedSince(long from) throws IOException {
    return Files.readString(server.home.resolve("data/log/karaf.log")).substring((int) from)
        .lines().toList();
  }

  /**
   * A refresh keeps a bundle's id and state, so {@code bundle:list} does not show it; Karaf's
   * log names what it refreshes. A refreshed core would restart every driver and end every
   * session.
   */
  private static void assertCoreNotRefreshedSince(long from) throws IOException {
    assertThat(loggedSince(from)).as("core is not refreshed")
        .noneMatch(l -> l.contains("karst-core/") && l.contains("refreshed"));
  }

  private static void awaitVdisks() throws Exception {
    awaitDevice("data", "ONLINE");
    awaitDevice("load", "ONLINE");
  }

  /**
   * Waits for I/O to go on once the handler or driver is back: writes issued from now on and a
   * qemu-img bench run started from now on that succeeds. Returns the writer's round now.
   */
  private static int resumed(AckedWriter writer, Load load) throws Exception {
    int mark = writer.rounds();
    int benchMark = load.started();
    writer.awaitRounds(mark + 30);
    await("a qemu-img bench run started after the handler or driver returned succeeds",
        () -> load.succeededSince(benchMark));
    return mark;
  }

  @Test
  void iscsiReinstalledAndUpdatedUnderIoLogsOutAndBringsTargetsLunsAndAclsBack()
      throws Exception {
    Checked before = Checked.write(server.url(IQN, 0), 56L << 20, 0xb1);
    long logFrom = logSize();

    try (Load load = new Load(server.url(IQN, 1));
        AckedWriter writer = new AckedWriter(server.url(IQN, 0), 24L << 20, 24L << 20)) {
      writer.awaitRounds(20);
      server.shell("feature:uninstall karst-iscsi");
      assertThat(server.listening()).as("the portal is closed").isFalse();
      assertThat(server.shell("bundle:list")).doesNotContain("Karst iSCSI");
      assertThat(server.shell("karst:session-list")).doesNotContain(IQN);
      server.shell("feature:install karst-iscsi");
      await("the portal is back", server::listening);
      int reinstalled = resumed(writer, load);

      String iscsi = bundleLine("Karst iSCSI");
      server.shell("bundle:update " + iscsi.substring(0, iscsi.indexOf('|')).trim());
      await("the portal is back", server::listening);
      int updated = resumed(writer, load);

      writer.finish();
      System.out.println("feature:uninstall, feature:install and bundle:update of karst-iscsi: "
          + writer + ", " + load);
      assertThat(writer.acknowledgedFrom(reinstalled))
          .as("writes acknowledged after the driver returned").isPositive();
      assertThat(writer.acknowledgedFrom(updated))
          .as("writes acknowledged after the driver's update").isPositive();
      writer.verify();
    }

    assertCoreNotRefreshedSince(logFrom);
    List<String> stops = loggedSince(logFrom).stream()
        .filter(l -> l.contains("iSCSI stopped")).toList();
    assertThat(stops).as("the driver stopped twice").hasSize(2);
    for (String stopped : stops) {
      Matcher m = Pattern.compile("(\\d+) of (\\d+) connection\\(s\\) logged out when "
          + "asked, (\\d+) closed").matcher(stopped);
      assertThat(m.find()).as(stopped).isTrue();
      if (stopped.equals(stops.get(0))) {
        assertThat(Integer.parseInt(m.group(2))).as("QEMU's sessions were there: " + stopped)
            .isPositive();
      }
      assertThat(m.group(3)).as("every initiator logged out when asked: " + stopped)
          .isEqualTo("0");
    }

    assertThat(server.shell("karst:target-list")).contains(IQN);
    before.verify();
    // The group's access rules came back with the target: the reader sees LUN 0 read-only
    // and no LUN 1.
    String reader = "driver=iscsi,transport=tcp,portal=127.0.0.1:" + PORT + ",target=" + IQN
        + ",initiator-name=" + READER + ",lun=";
    Result read = KarstServer.run(600, "qemu-io", "--cache", "none", "--read-only",
        "--image-opts", reader + "0", "-c", "read -P 0xb1 " + (56L << 20) + " 64k");
    assertThat(read.exit()).as(read.output()).isZero();
    // QEMU refuses to open a write-protected LUN for writing, from the target's MODE SENSE.
    Result write = KarstServer.qemuIoWithOptions(reader + "0", List.of("write 0 4k"));
    assertThat(write.exit()).as("LUN 0 is read-only for the reader: " + write.output())
        .isNotZero();
    Result none = KarstServer.qemuIoWithOptions(reader + "1", List.of("read 0 4k"));
    assertThat(none.exit()).as("the reader has no LUN 1: " + none.output()).isNotZero();
  }

  @Test
  void exampleVendorHandlerInstalledFromTheShellServesAndLeavesItsLunNotReady()
      throws Exception {
    String ram = server.url(IQN, 2);
    assertNotReady(ram);
    long logFrom = logSize();
    String version = System.getProperty("karst.version");
    server.shell("feature:repo-add mvn:io.karst/karst-example-ramdisk/" + version
        + "/xml/features");
    server.shell("feature:install karst-example-ramdisk");
    awaitDevice("ram0", "ONLINE");
    assertThat(server.shell("karst:handler-list")).contains("example_ramdisk");
    useRamDisk(ram, 0x5a);

    server.shell("feature:uninstall karst-example-ramdisk");
    awaitDevice("ram0", "OFFLINE");
    assertNotReady(ram);
    assertThat(server.shell("bundle:list")).doesNotContain("RAM disk");
    Checked.write(server.url(IQN, 0), 60L << 20, 0xc1).verify();

    // The same bundle dropped into deploy/ and taken out again.
    Path jar = Path.of(System.getProperty("maven.repo.local"), "io", "karst",
        "karst-example-ramdisk", version, "karst-example-ramdisk-" + version + ".jar");
    Path deployed = server.home.resolve("deploy/karst-example-ramdisk.jar");
    Files.copy(jar, deployed, StandardCopyOption.REPLACE_EXISTING);
    awaitDevice("ram0", "ONLINE");
    useRamDisk(ram, 0x6b);
    Files.delete(deployed);
    awaitDevice("ram0", "OFFLINE");
    assertNotReady(ram);
    assertThat(server.listening()).isTrue();
    assertCoreNotRefreshedSince(logFrom);
  }

  /** Writes to a fresh RAM disk and reads back: untouched blocks are zeros. */
  private static void useRamDisk(String url, int pattern) throws Exception {
    Result w = KarstServer.qemuIo(url, List.of("read -P 0 0 1M",
        "write -f -P " + pattern + " 0 1M", "write -P " + (pattern + 1) + " 8M 64k", "flush"));
    assertThat(w.exit()).as(w.output()).isZero();
    Result r = KarstServer.qemuIo(url, List.of("read -P " + pattern + " 0 1M",
        "read -P " + (pattern + 1) + " 8M 64k", "read -P 0 4M 64k"));
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).doesNotContain("Pattern verification failed");
  }

  private static void assertNotReady(String url) throws Exception {
    Result r = KarstServer.qemuIo(url, List.of("read 0 4k"));
    assertThat(r.exit()).isNotZero();
    assertThat(r.output()).contains("NOT READY");
  }

  /** The line of {@code bundle:list} of the bundle named so. */
  private static String bundleLine(String name) throws Exception {
    return server.shell("bundle:list").lines().filter(l -> l.endsWith("| " + name))
        .findFirst().orElseThrow(() -> new AssertionError("no bundle " + name));
  }

  private static void awaitDevice(String device, String state) throws Exception {
    String[] last = {""};
    await("device " + device + " " + state, () -> {
      try {
        last[0] = server.shell("karst:device-list");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return last[0].lines().anyMatch(l -> l.startsWith(device + " ")
          && l.contains(" " + state + " "));
    });
  }

  private static void await(String what, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what + " within 300 s").isLessThan(deadline);
      Thread.sleep(250);
    }
  }

  /** A megabyte written with FUA and 64 KiB followed by a flush, to read back later. */
  private record Checked(String url, long offset, int pattern) {

    static Checked write(String url, long offset, int pattern) throws Exception {
      Result w = KarstServer.qemuIo(url, List.of("write -f -P " + pattern + " " + offset + " 1M",
          "write -P " + (pattern + 1) + " " + (offset + (1 << 20)) + " 64k", "flush"));
      assertThat(w.exit()).as(w.output()).isZero();
      return new Checked(url, offset, pattern);
    }

    void verify() throws Exception {
      Result r = KarstServer.qemuIo(url, List.of("read -P " + pattern + " " + offset + " 1M",
          "read -P " + (pattern + 1) + " " + (offset + (1 << 20)) + " 64k"));
      assertThat(r.exit()).as(r.output()).isZero();
      assertThat(r.output()).doesNotContain("Pattern verification failed");
    }
  }

  /**
   * qemu-img bench writing at queue depth 16 on one LUN, run after run until closed; a run
   * that fails (the handler away) is followed by the next.
   */
  private static final class Load implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger started = new AtomicInteger();
    /** The index of the last run that succeeded, -1 for none. */
    private final AtomicLong lastSucceeded = new AtomicLong(-1);
    private final Thread thread;

    Load(String url) {
      thread = new Thread(() -> {
        while (!stop.get()) {
          int run = started.getAndIncrement();
          try {
            Result r = KarstServer.run(600, "qemu-img", "bench", "-w", "-d", "16", "-c", "4000",
                "-s", "4k", "-t", "none", "-f", "raw", "--pattern=" + (1 + run % 250), url);
            if (r.exit() == 0) {
              lastSucceeded.accumulateAndGet(run, Math::max);
            } else {
              Thread.sleep(200); // the LUN or the portal is away: no busy loop meanwhile
            }
          } catch (Exception e) {
            return;
          }
        }
      }, "qemu-img-bench");
      thread.start();
    }

    int started() {
      return started.get();
    }

    boolean succeededSince(int run) {
      return lastSucceeded.get() >= run;
    }

    @Override
    public String toString() {
      return "qemu-img bench: " + started.get() + " runs, the last good one #"
          + lastSucceeded.get();
    }

    @Override
    public void close() {
      stop.set(true);
      try {
        thread.join(TimeUnit.MINUTES.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * One qemu-io process, one session, fed commands through its standard input: rounds of four
   * 4 KiB FUA writes in flight at once (each to a block of its own, never written twice) and a
   * flush, ten rounds a second. What QEMU reports written was acknowledged; those blocks must
   * read back, whatever happened to the server in between. Writes that failed (NOT READY while
   * the handler is away) are not checked: their blocks may hold the data or not.
   */
  private static final class AckedWriter implements AutoCloseable {
    private static final int BLOCK = 4096;
    private static final int DEPTH = 4;
    private static final Pattern WROTE =
        Pattern.compile("wrote " + BLOCK + "/" + BLOCK + " bytes at offset (\\d+)");

    private final String url;
    private final long from;
    private final long blocks;
    private final Process qemu;
    private final Path output;
    private final Thread feeder;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger rounds = new AtomicInteger();
    private final Map<Long, Integer> acknowledged = new LinkedHashMap<>();
    private int failed;

    AckedWriter(String url, long from, long bytes) throws IOException {
      this.url = url;
      this.from = from;
      this.blocks = bytes / BLOCK;
      output = Files.createTempFile("karst-writer", ".out");
      qemu = new ProcessBuilder("qemu-io", "--cache", "none", "-f", "raw", url)
          .redirectErrorStream(true).redirectOutput(output.toFile()).start();
      feeder = new Thread(this::feed, "qemu-io-writer");
      feeder.start();
    }

    private void feed() {
      try (OutputStream in = qemu.getOutputStream()) {
        for (int round = 0; !stop.get() && (long) (round + 1) * DEPTH <= blocks; round++) {
          StringBuilder b = new StringBuilder();
          for (int k = 0; k < DEPTH; k++) {
            b.append("aio_write -f -P ").append(pattern(round)).append(' ')
                .append(offset(round, k)).append(' ').append(BLOCK).append('\n');
          }
          b.append("aio_flush\n");
          in.write(b.toString().getBytes(StandardCharsets.US_ASCII));
          in.flush();
          rounds.incrementAndGet();
          Thread.sleep(100);
        }
      } catch (IOException | InterruptedException e) {
        // qemu-io ended; finish() reports what it printed
      }
    }

    private long offset(int round, int k) {
      return from + ((long) round * DEPTH + k) * BLOCK;
    }

    private static int pattern(int round) {
      return 1 + round % 250;
    }

    private int roundOf(long offset) {
      return (int) ((offset - from) / BLOCK / DEPTH);
    }

    /** Rounds handed to qemu-io so far. */
    int rounds() {
      return rounds.get();
    }

    void awaitRounds(int n) throws Exception {
      await(n + " rounds of writes issued", () -> rounds.get() >= n || !feeder.isAlive());
      assertThat(rounds.get()).as("the writer ran out of blocks or qemu-io ended")
          .isGreaterThanOrEqualTo(n);
    }

    /** Ends the input, waits for qemu-io to finish what it was given, reads its report. */
    void finish() throws Exception {
      stop.set(true);
      feeder.join();
      assertThat(qemu.waitFor(10, TimeUnit.MINUTES)).as("qemu-io finishes its writes").isTrue();
      String report = Files.readString(output);
      failed = (int) report.lines().filter(l -> l.contains("aio_write failed")).count();
      Matcher m = WROTE.matcher(report);
      while (m.find()) {
        long offset = Long.parseLong(m.group(1));
        acknowledged.put(offset, pattern(roundOf(offset)));
      }
      assertThat(acknowledged).as("qemu-io acknowledged writes: " + tail()).isNotEmpty();
    }

    /** How many acknowledged writes were issued in round {@code round} or later. */
    long acknowledgedFrom(int round) {
      return acknowledged.keySet().stream().filter(o -> roundOf(o) >= round).count();
    }

    /** Reads every acknowledged block back and compares it with what was written. */
    void verify() throws Exception {
      List<String> reads = new ArrayList<>();
      acknowledged.forEach((offset, p) -> reads.add("read -P " + p + " " + offset + " " + BLOCK));
      Result r = KarstServer.qemuIo(url, reads);
      assertThat(r.output()).as(acknowledged.size() + " acknowledged blocks")
          .doesNotContain("Pattern verification failed");
      assertThat(r.exit()).as(r.output()).isZero();
    }

    @Override
    public String toString() {
      return "qemu-io: " + rounds.get() + " rounds of " + DEPTH + " writes issued, "
          + acknowledged.size() + " acknowledged, " + failed + " failed";
    }

    private String tail() throws IOException {
      String s = Files.readString(output);
      return s.length() <= 2000 ? s : s.substring(s.length() - 2000);
    }

    /** After a failure: ends the input, and qemu-io if it does not end with it. */
    @Override
    public void close() throws IOException {
      stop.set(true);
      try {
        feeder.join(TimeUnit.SECONDS.toMillis(5));
        if (feeder.isAlive() || !qemu.waitFor(1, TimeUnit.MINUTES)) {
          qemu.destroyForcibly();
        }
      } catch (InterruptedException e) {
        qemu.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      Files.deleteIfExists(output);
    }
  }
}
