package io.karst.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.karst.itests.KarstServer.Result;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several sessions of one initiator (RFC 7143 6.3.5; what multipathing does): two QEMU
 * processes with the same initiator name, each its own session (libiscsi picks a random
 * ISID), write different halves of one LUN at the same time, and everything reads back. Also
 * one session with two connections, and the portals changed under a running session.
 */
class SessionsE2EIT {

  private static final int PORT = 13263;
  /** A second portal, added and removed at run time. */
  private static final int OTHER_PORT = 13274;
  private static final String IQN = "iqn.2026-11.io.karst:sessions";
  private static final String INITIATOR = "iqn.2026-11.io.karst.test:multipath-host";
  private static final long DISK_BYTES = 32L << 20;

  private static KarstServer server;

  @BeforeAll
  static void startServer() throws Exception {
    KarstServer.requireTools("qemu-io");
    server = KarstServer.start("sessions", PORT, KarstServer.handler("vdisk_fileio",
            KarstServer.device("shared", DISK_BYTES))
        + KarstServer.iscsi(PORT, KarstServer.target(IQN, "LUN 0 shared")));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** qemu-io on LUN 0 as {@link #INITIATOR}, without the host page cache. */
  private static Result qemuIo(List<String> commands) throws Exception {
    return KarstServer.qemuIoWithOptions("driver=iscsi,transport=tcp,portal=127.0.0.1:" + PORT
        + ",target=" + IQN + ",lun=0,initiator-name=" + INITIATOR, commands);
  }

  /** Writes of random lengths covering [from, from + length), each piece its own pattern. */
  private static List<String[]> pieces(Random random, long from, long length, int firstPattern) {
    List<String[]> pieces = new ArrayList<>();
    long at = from;
    while (at < from + length) {
      long n = Math.min(from + length - at, 512L * (1 + random.nextInt(1024)));
      int pattern = firstPattern + pieces.size() % 100;
      pieces.add(new String[] {"write -P " + pattern + " " + at + " " + n,
          "read -P " + pattern + " " + at + " " + n});
      at += n;
    }
    Collections.shuffle(pieces, random);
    return pieces;
  }

  @Test
  void twoSessionsOfOneInitiatorWriteInParallelAndBothHalvesReadBackIntact() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    long half = DISK_BYTES / 2;
    List<String[]> low = pieces(random, 0, half, 1);
    List<String[]> high = pieces(random, half, half, 101);
    List<CompletableFuture<Result>> writers = new ArrayList<>();
    for (List<String[]> region : List.of(low, high)) {
      List<String> commands = new ArrayList<>(region.stream().map(p -> p[0]).toList());
      commands.addAll(region.stream().map(p -> p[1]).toList());
      writers.add(CompletableFuture.supplyAsync(() -> {
        try {
          return qemuIo(commands);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    for (CompletableFuture<Result> w : writers) {
      Result r = w.get();
      assertThat(r.exit()).as("seed " + seed + ": " + r.output()).isZero();
      assertThat(r.output()).as("seed " + seed)
          .doesNotContain("Pattern verification failed", "error", "failed");
    }
    List<String> all = new ArrayList<>(Stream.concat(low.stream(), high.stream())
        .map(p -> p[1]).toList());
    Collections.shuffle(all, random);
    Result r = qemuIo(all);
    assertThat(r.exit()).as("seed " + seed + ": " + r.output()).isZero();
    assertThat(r.output()).as("seed " + seed).doesNotContain("Pattern verification failed");

    // The server saw sessions of the one initiator with different ISIDs, and none replaced
    // another.
    String log = serverLog();
    Matcher m = Pattern.compile("session to " + Pattern.quote(IQN) + " of "
        + Pattern.quote(INITIATOR) + " \\(ISID (\\p{XDigit}{12})").matcher(log);
    List<String> isids = new ArrayList<>();
    while (m.find()) {
      isids.add(m.group(1));
    }
    assertThat(isids.stream().distinct().count()).as(log).isGreaterThanOrEqualTo(2);
    assertThat(log).doesNotContain("is reinstated by a new login");
  }

  private static String serverLog() throws Exception {
    StringBuilder all = new StringBuilder();
    Path dir = server.home.resolve("data/log");
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        all.append(Files.readString(f, StandardCharsets.UTF_8));
      }
    }
    return all.toString();
  }

  /**
   * One session with two connections (RFC 7143 3.4), neither libiscsi nor QEMU does: the
   * connections write their halves of a range at the same time, commands numbered from the
   * session's one CmdSN sequence, then each reads back the other's half; karst:session-show
   * then lists both connections and the session's counters.
   */
  @Test
  void aSessionWithTwoConnectionsWritesOnBothAndEachReadsTheOthersData() throws Exception {
    String name = "iqn.2026-11.io.karst.test:mcs-host";
    int blocks = 128;
    long base = 16L << 20 >> 9;
    try (IscsiInitiator first = new IscsiInitiator(PORT, name, 0x400000000077L, IQN);
        IscsiInitiator second = first.connect(1)) {
      assertThat(second.tsih).isEqualTo(first.tsih);
      List<IscsiInitiator> connections = List.of(first, second);
      CompletableFuture<?>[] writes = new CompletableFuture<?>[2];
      for (int c = 0; c < 2; c++) {
        IscsiInitiator conn = connections.get(c);
        long start = base + (long) c * blocks * 16;
        int pattern = 0x30 + c;
        writes[c] = CompletableFuture.runAsync(() -> {
          try {
            for (int i = 0; i < 16; i++) {
              byte[] data = new byte[blocks * 512];
              java.util.Arrays.fill(data, (byte) (pattern + i));
              assertThat(conn.command(cdb10(0x2A, start + (long) i * blocks, blocks), data, 0)
                  .status()).isZero();
            }
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
      }
      CompletableFuture.allOf(writes).get(60, java.util.concurrent.TimeUnit.SECONDS);
      for (int c = 0; c < 2; c++) {
        IscsiInitiator reader = connections.get(1 - c);
        long start = base + (long) c * blocks * 16;
        for (int i = 0; i < 16; i++) {
          IscsiInitiator.Response r = reader.command(cdb10(0x28, start + (long) i * blocks,
              blocks), new byte[0], blocks * 512);
          assertThat(r.status()).isZero();
          assertThat(r.data()).hasSize(blocks * 512).containsOnly((byte) (0x30 + c + i));
        }
      }

      // The administrator's view: both connections with their CIDs, and the counters.
      String shown = server.shell("karst:session-show " + IQN + " " + name);
      String local = "127\\.0\\.0\\.1";
      assertThat(shown)
          .containsPattern(row(local, "0", local, "\\d+", local + ":" + PORT, "established"))
          .containsPattern(row(local + "_1", "1", local))
          .containsPattern(row("commands", "64"))
          .containsPattern(row("write_io_count_kb", "2048"))
          .containsPattern(row("read_io_count_kb", "2048"))
          .containsPattern(row("MaxConnections", "\\d+"));
    }
  }

  /**
   * The portals changed while a session runs, as an administrator moves initiators to another
   * address: a portal added listens at once, a portal that cannot listen refuses the change by
   * name with nothing changed, and the portal removed accepts no connection while the session
   * logged in through it goes on (as LIO keeps the connections of a network portal it
   * removes); discovery then offers only the new portal, which serves I/O.
   */
  @Test
  void portalsChangeAtRunTimeAndASessionOfTheRemovedPortalGoesOn() throws Exception {
    KarstServer.requireTools("iscsi-inq", "iscsi-ls");
    String a = "127.0.0.1:" + PORT;
    String b = "127.0.0.1:" + OTHER_PORT;
    String set = "karst:attr-set /targets/iscsi portals ";
    try (IscsiInitiator session = new IscsiInitiator(PORT, "iqn.2026-11.io.karst.test:mover",
        0x400000000078L, IQN)) {
      try {
        server.shell(set + a + "," + b);
        Result inq = KarstServer.run(60, "iscsi-inq", "iscsi://" + b + "/" + IQN + "/0");
        assertThat(inq.exit()).as(inq.output()).isZero();
        assertThat(inq.output()).contains("KARST");

        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
          String c = "127.0.0.1:" + taken.getLocalPort();
          assertThat(server.shellRefused(set + b + "," + c))
              .contains("portal " + c + " cannot listen");
        }
        try (Socket stillThere = new Socket("127.0.0.1", PORT)) {
          assertThat(stillThere.isConnected()).as("the refused change left A listening").isTrue();
        }

        server.shell(set + b);
        assertThatThrownBy(() -> new Socket("127.0.0.1", PORT).close())
            .as("the removed portal accepts no connection").isInstanceOf(ConnectException.class);
        byte[] data = new byte[8 * 512];
        java.util.Arrays.fill(data, (byte) 0x5A);
        long lba = 24L << 20 >> 9;
        assertThat(session.command(cdb10(0x2A, lba, 8), data, 0).status())
            .as("the session logged in through the removed portal goes on").isZero();
        assertThat(session.command(cdb10(0x28, lba, 8), new byte[0], data.length).data())
            .containsExactly(data);
        assertThat(server.shell("karst:session-list"))
            .contains("iqn.2026-11.io.karst.test:mover");

        Result ls = KarstServer.run(60, "iscsi-ls", "-s", "iscsi://" + b);
        assertThat(ls.exit()).as(ls.output()).isZero();
        assertThat(ls.output()).contains("Portal:" + b + ",").doesNotContain(a);
        Result io = KarstServer.qemuIo("iscsi://" + b + "/" + IQN + "/0",
            List.of("write -P 0x6b 25M 64k", "read -P 0x6b 25M 64k"));
        assertThat(io.exit()).as(io.output()).isZero();
        assertThat(io.output()).doesNotContain("Pattern verification failed", "error");
      } finally {
        server.shell(set + a);
      }
    }
  }

  /** A row of a shell table whose first cells match these expressions. */
  private static String row(String... cells) {
    return "(?m)^\\s*" + String.join("\\s*\\|\\s*", cells) + "\\s*(\\||$)";
  }

  /** READ (10) or WRITE (10). */
  private static byte[] cdb10(int opcode, long lba, int blocks) {
    return java.nio.ByteBuffer.allocate(10).put((byte) opcode).put((byte) 0).putInt((int) lba)
        .put((byte) 0).putShort((short) blocks).put((byte) 0).array();
  }
}
