package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated PDUs at the driver on a real socket: logins and commands with bits
 * flipped, random DataSegmentLength and TotalAHSLength, unknown opcodes, PDUs of the wrong
 * phase, frames cut short, garbage. Afterwards a normal session still writes and reads, no
 * exception reached a handler's catch-all or Netty's pipeline tail, and no buffer leaked
 * (Netty's leak detector at PARANOID). The seed is printed with any failure; {@code
 * -Dkarst.fuzz.seed=N} replays it.
 */
class IscsiFuzzTest {

  /** Connections per run: each gets a login (sound or mutated) and up to 40 PDUs. */
  private static final int CONNECTIONS = 250;
  private static final long SEED = Long.getLong("karst.fuzz.seed", System.nanoTime());

  private static ResourceLeakDetector.Level leakLevel;
  private static final List<String> leaks = new CopyOnWriteArrayList<>();
  /** Log records that show an exception nobody expected, or Netty's pipeline tail. */
  private static final List<String> problems = new CopyOnWriteArrayList<>();
  private static final Handler watcher = new Handler() {
    @Override
    public void publish(LogRecord r) {
      String message = String.valueOf(r.getMessage());
      if (r.getThrown() != null || message.contains("exceptionCaught()")
          || message.contains("LEAK")) {
        problems.add(r.getLoggerName() + ": " + message
            + (r.getThrown() != null ? ": " + r.getThrown() : ""));
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  @BeforeAll
  static void watch() throws InterruptedException {
    // Leaks of earlier tests in this JVM are reported before the watch begins; a buffer they
    // lost and the collector finds only later was sampled without records, and is ignored.
    reportLeaks();
    leakLevel = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    ByteBufUtil.setLeakListener((type, records) -> {
      if (!records.isBlank()) {
        leaks.add(type + ": " + records);
      }
    });
    Logger.getLogger("").addHandler(watcher);
  }

  /** Leaks are reported when a lost buffer has been collected and another is tracked. */
  private static void reportLeaks() throws InterruptedException {
    for (int round = 0; round < 5 && leaks.isEmpty(); round++) {
      System.gc();
      Thread.sleep(100);
      for (int i = 0; i < 200; i++) {
        PooledByteBufAllocator.DEFAULT.directBuffer(64).release();
        Unpooled.buffer(64).release();
      }
    }
  }

  @AfterAll
  static void unwatch() {
    Logger.getLogger("").removeHandler(watcher);
    ByteBufUtil.setLeakListener(null);
    ResourceLeakDetector.setLevel(leakLevel);
  }

  private final IscsiTargetDriver driver = new IscsiTargetDriver();
  private Random random;
  /** Connections that reached the full feature phase, where most of the PDUs go. */
  private int sessions;

  @Test
  void randomAndMutatedPdusLeaveTheServerServingWithoutLeaks() throws Exception {
    String replay = "fuzz seed " + SEED + " (replay with -Dkarst.fuzz.seed=" + SEED + ")";
    random = new Random(SEED);
    FakeCore core = new FakeCore(FakeCore.settings());
    core.behaviour = FakeCore::block;
    core.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:chap", true, true,
        Map.of("IncomingUser", "fuzzer 123456789012")));
    driver.start(core);
    InetSocketAddress portal = driver.boundPortals().get(0);
    try {
      for (int i = 0; i < CONNECTIONS; i++) {
        fuzz(portal, i);
      }
      soundSession(portal);
      assertThat(sessions).as("connections fuzzed in the full feature phase")
          .isGreaterThan(CONNECTIONS / 5);
    } catch (Throwable t) {
      throw new AssertionError(replay, t);
    } finally {
      driver.stop();
    }
    reportLeaks();
    assertThat(leaks).as(replay).isEmpty();
    assertThat(problems).as(replay).isEmpty();
  }

  /** One connection: a login, then PDUs, any of them mutated; then whatever comes back. */
  private void fuzz(InetSocketAddress portal, int n) throws IOException {
    try (Socket s = new Socket(portal.getAddress(), portal.getPort())) {
      s.setSoTimeout(2000);
      s.setSoLinger(true, 0);
      var out = s.getOutputStream();
      InputStream in = s.getInputStream();
      int kind = random.nextInt(10);
      if (kind == 0) {
        out.write(bytes(random.nextInt(200)));
        drain(s, in);
        return;
      }
      Session session = new Session();
      session.headerDigest = random.nextInt(4) == 0;
      session.dataDigest = random.nextInt(4) == 0;
      boolean mutatedLogin = kind == 1;
      boolean loggedIn;
      if (kind == 2) {
        s.setSoTimeout(500);
        loggedIn = chapLogin(n, session, out, in);
      } else {
        byte[] login = frame(loginBhs(), new byte[0], loginText(n, session), false, false);
        if (mutatedLogin) {
          mutate(login, false);
        }
        out.write(login);
        out.flush();
        loggedIn = !mutatedLogin && loggedIn(in);
      }
      if (loggedIn) {
        sessions++;
      }
      int pdus = random.nextInt(40);
      for (int i = 0; i < pdus; i++) {
        byte[] f = loggedIn ? fullFeaturePdu(session) : frame(randomBhs(), bytes(
            random.nextInt(64)), bytes(random.nextInt(300)), false, false);
        if (random.nextInt(3) == 0) {
          mutate(f, session.headerDigest && loggedIn);
        }
        if (i == pdus - 1 && random.nextInt(4) == 0) {
          f = Arrays.copyOf(f, random.nextInt(f.length));
        }
        out.write(f);
        skipAvailable(in);
      }
      out.flush();
      drain(s, in);
    } catch (SocketException e) {
      // The target closed the connection on what it was sent: that is allowed.
    }
  }

  /** What one session negotiated, and its next CmdSN. */
  private static final class Session {
    boolean headerDigest;
    boolean dataDigest;
    int cmdSN = 1;
  }

  private ByteBuffer loginBhs() {
    ByteBuffer b = bhs(0x43, random.nextBoolean() ? 0x87 : 0x83);
    b.put(8, (byte) 0x40).put(13, (byte) random.nextInt(256)).putInt(24, 1);
    return b;
  }

  private byte[] loginText(int n, Session s) {
    List<String> keys = new ArrayList<>(List.of("InitiatorName=iqn.2026-11.fuzz:initiator" + n));
    switch (random.nextInt(6)) {
      case 0 -> keys.add("SessionType=Discovery");
      case 1 -> keys.addAll(List.of("TargetName=iqn.2026-11.test:chap", "AuthMethod=CHAP"));
      case 2 -> keys.add("TargetName=iqn.2026-11.test:" + Long.toHexString(random.nextLong()));
      default -> keys.add("TargetName=iqn.2026-11.test:disk");
    }
    keys.add("HeaderDigest=" + (s.headerDigest ? "CRC32C" : "None"));
    keys.add("DataDigest=" + (s.dataDigest ? "CRC32C" : "None"));
    keys.add("MaxRecvDataSegmentLength=" + (512 + random.nextInt(16384)));
    String[] more = {"ImmediateData=No", "InitialR2T=Yes", "MaxBurstLength=512",
        "FirstBurstLength=1024", "MaxOutstandingR2T=1", "X-fuzz=" + random.nextInt(),
        "MaxConnections=" + random.nextInt(), "ErrorRecoveryLevel=2", "=", "Junk",
        "DefaultTime2Wait=99999"};
    for (int i = random.nextInt(4); i > 0; i--) {
      keys.add(more[random.nextInt(more.length)]);
    }
    return Initiator.text(keys.toArray(String[]::new));
  }

  /**
   * A CHAP login in three requests (AuthMethod, CHAP_A, CHAP_N and CHAP_R), each value sound
   * or not: algorithms offered or unknown, responses right, wrong, badly encoded or of any
   * length, a mutual challenge the target cannot answer. Whether it reached the full feature
   * phase.
   */
  private boolean chapLogin(int n, Session s, java.io.OutputStream out, InputStream in)
      throws IOException {
    byte qualifier = (byte) random.nextInt(256);
    out.write(loginRequest(qualifier, 0x81, "InitiatorName=iqn.2026-11.fuzz:initiator" + n,
        "TargetName=iqn.2026-11.test:chap", "AuthMethod=CHAP,None",
        "HeaderDigest=" + (s.headerDigest ? "CRC32C" : "None"),
        "DataDigest=" + (s.dataDigest ? "CRC32C" : "None")));
    if (response(in) == null) {
      return false;
    }
    String[] offers = {"5", "7,5", "6", "8", "99", "x", "5,", ",,,", "0x05", "5,6,7,8,5,6,7,8"};
    out.write(loginRequest(qualifier, 0x01, "CHAP_A=" + offers[random.nextInt(offers.length)]));
    Map<String, String> challenge = response(in);
    if (challenge == null || !challenge.containsKey("CHAP_C")) {
      return false;
    }
    String name = random.nextInt(5) == 0 ? "someone" : "fuzzer";
    String answer;
    switch (random.nextInt(6)) {
      case 0 -> answer = "0x" + java.util.HexFormat.of().formatHex(bytes(random.nextInt(80)));
      case 1 -> answer = "0b" + java.util.Base64.getEncoder().encodeToString(
          bytes(random.nextInt(80)));
      case 2 -> answer = new String(bytes(random.nextInt(20)),
          java.nio.charset.StandardCharsets.ISO_8859_1).replace('\0', 'x');
      default -> answer = chapResponse(challenge);
    }
    List<String> keys = new ArrayList<>(List.of("CHAP_N=" + name, "CHAP_R=" + answer));
    if (random.nextInt(4) == 0) {
      keys.add("CHAP_I=" + (random.nextInt(300) - 20));
      keys.add("CHAP_C=0x" + java.util.HexFormat.of().formatHex(bytes(random.nextInt(40))));
    }
    out.write(loginRequest(qualifier, 0x83, keys.toArray(String[]::new)));
    Map<String, String> last = response(in);
    return last != null && last.containsKey(FULL_FEATURE);
  }

  /** A key that {@link #response} adds when the login reached the full feature phase. */
  private static final String FULL_FEATURE = "(full feature)";

  /** The right response to the target's challenge, with the fuzzer's secret. */
  private static String chapResponse(Map<String, String> challenge) {
    try {
      String algorithm = switch (challenge.get("CHAP_A")) {
        case "6" -> "SHA-1";
        case "7" -> "SHA-256";
        case "8" -> "SHA3-256";
        default -> "MD5";
      };
      var digest = java.security.MessageDigest.getInstance(algorithm);
      digest.update((byte) Integer.parseInt(challenge.get("CHAP_I")));
      digest.update("123456789012".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      digest.update(java.util.HexFormat.of().parseHex(challenge.get("CHAP_C").substring(2)));
      return "0x" + java.util.HexFormat.of().formatHex(digest.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] loginRequest(byte qualifier, int flags, String... keys) {
    ByteBuffer b = bhs(0x43, flags);
    b.put(8, (byte) 0x40).put(13, qualifier).putInt(24, 1);
    return frame(b, new byte[0], Initiator.text(keys), false, false);
  }

  /**
   * The keys of a login response, with {@link #FULL_FEATURE} when it is the final one; null
   * when the login was refused or the connection ended.
   */
  private static Map<String, String> response(InputStream in) throws IOException {
    byte[] bhs;
    byte[] data;
    try {
      bhs = in.readNBytes(48);
      if (bhs.length < 48) {
        return null;
      }
      int length = ((bhs[5] & 0xFF) << 16) | ((bhs[6] & 0xFF) << 8) | (bhs[7] & 0xFF);
      data = Arrays.copyOf(in.readNBytes((length + 3) & ~3), length);
    } catch (SocketTimeoutException e) {
      // A failed authentication is answered late, on purpose: not waited for.
      return null;
    }
    if (bhs[36] != 0 || bhs[37] != 0) {
      return null;
    }
    Map<String, String> keys = new java.util.HashMap<>(
        TextKeys.parse(data));
    if ((bhs[1] & 0x83) == 0x83) {
      keys.put(FULL_FEATURE, "");
    }
    return keys;
  }

  /** Reads the login response: whether the session is in the full feature phase. */
  private static boolean loggedIn(InputStream in) throws IOException {
    byte[] bhs;
    try {
      bhs = in.readNBytes(48);
    } catch (SocketTimeoutException e) {
      // A failed authentication waits for its turn after the fuzzer's earlier failures.
      return false;
    }
    if (bhs.length < 48) {
      return false;
    }
    int length = ((bhs[5] & 0xFF) << 16) | ((bhs[6] & 0xFF) << 8) | (bhs[7] & 0xFF);
    in.readNBytes((length + 3) & ~3);
    return bhs[36] == 0 && bhs[37] == 0 && (bhs[1] & 0x83) == 0x83;
  }

  /** A PDU of the full feature phase, sound or nearly: commands, data, pings, the odd one. */
  private byte[] fullFeaturePdu(Session s) {
    int itt = random.nextInt(8);
    byte[] data = new byte[0];
    ByteBuffer b;
    switch (random.nextInt(12)) {
      case 0, 1 -> {
        int blocks = random.nextInt(17);
        b = bhs(0x01, 0xC0);
        b.putInt(20, blocks * 512).put(32, (byte) 0x28).putInt(34, random.nextInt(2100))
            .putShort(39, (short) blocks);
      }
      case 2, 3 -> {
        int blocks = random.nextInt(17);
        b = bhs(0x01, random.nextBoolean() ? 0xA0 : 0x20);
        b.putInt(20, blocks * 512).put(32, (byte) 0x2A).putInt(34, random.nextInt(2100))
            .putShort(39, (short) blocks);
        data = bytes(random.nextInt(blocks * 512 + 1));
      }
      case 4 -> {
        b = bhs(0x05, random.nextBoolean() ? 0x80 : 0);
        b.putInt(20, random.nextBoolean() ? -1 : random.nextInt(4))
            .putInt(36, random.nextInt(3)).putInt(40, 512 * random.nextInt(16));
        data = bytes(random.nextInt(4096));
      }
      case 5 -> {
        b = bhs(0x00, 0x80);
        boolean answer = random.nextBoolean();
        b.putInt(16, answer ? -1 : itt).putInt(20, answer ? random.nextInt(4) : -1);
        data = bytes(random.nextInt(600));
      }
      case 6 -> {
        b = bhs(0x04, random.nextBoolean() ? 0x80 : 0x40);
        b.putInt(20, random.nextBoolean() ? -1 : random.nextInt(4));
        data = random.nextBoolean() ? Initiator.text("SendTargets=All") : bytes(100);
      }
      case 7 -> {
        b = bhs(0x02, 0x80 | random.nextInt(16));
        b.putInt(20, random.nextInt(8));
      }
      case 8 -> b = bhs(0x06, 0x80 | random.nextInt(4));
      case 9 -> b = bhs(random.nextBoolean() ? 0x10 : 0x03, 0x80);
      case 10 -> b = bhs(7 + random.nextInt(9), random.nextInt(256));
      default -> {
        b = ByteBuffer.wrap(bytes(48));
        data = bytes(random.nextInt(64));
      }
    }
    if (random.nextInt(4) == 0) {
      b.put(0, (byte) (b.get(0) | 0x40));
    }
    if ((b.get(0) & 0x3F) != 0x05 && b.getInt(16) == 0) {
      b.putInt(16, itt);
    }
    b.putInt(24, random.nextInt(10) == 0 ? random.nextInt() : s.cmdSN++);
    byte[] ahs = random.nextInt(10) == 0 ? bytes(4 * random.nextInt(4)) : new byte[0];
    return frame(b, ahs, data, s.headerDigest, s.dataDigest);
  }

  private ByteBuffer randomBhs() {
    return ByteBuffer.wrap(bytes(48));
  }

  private static ByteBuffer bhs(int opcode, int flags) {
    ByteBuffer b = ByteBuffer.allocate(48);
    b.put(0, (byte) opcode).put(1, (byte) flags);
    return b;
  }

  /** The wire form: lengths set, AHS, header digest, padded data, data digest. */
  private static byte[] frame(ByteBuffer bhs, byte[] ahs, byte[] data, boolean headerDigest,
      boolean dataDigest) {
    bhs.put(4, (byte) (ahs.length / 4)).put(5, (byte) (data.length >>> 16))
        .put(6, (byte) (data.length >>> 8)).put(7, (byte) data.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(bhs.array());
    out.writeBytes(ahs);
    if (headerDigest) {
      out.writeBytes(crc(out.toByteArray()));
    }
    byte[] padded = Arrays.copyOf(data, (data.length + 3) & ~3);
    out.writeBytes(padded);
    if (dataDigest && data.length > 0) {
      out.writeBytes(crc(padded));
    }
    return out.toByteArray();
  }

  private static byte[] crc(byte[] bytes) {
    ByteBuf b = Unpooled.wrappedBuffer(bytes);
    int c = Crc32c.of(b, 0, bytes.length, 0);
    return new byte[] {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24)};
  }

  /**
   * Damages a frame's header: flipped bits, a random DataSegmentLength or TotalAHSLength.
   * With {@code redigest}, the header digest is computed again, so that the damage gets past
   * it to the handlers.
   */
  private void mutate(byte[] f, boolean redigest) {
    switch (random.nextInt(4)) {
      case 0 -> f[4] = (byte) random.nextInt(256);
      case 1 -> {
        int length = random.nextBoolean() ? random.nextInt(1 << 24) : random.nextInt(9000);
        f[5] = (byte) (length >>> 16);
        f[6] = (byte) (length >>> 8);
        f[7] = (byte) length;
      }
      default -> {
        for (int i = 1 + random.nextInt(4); i > 0; i--) {
          f[random.nextInt(48)] ^= (byte) (1 << random.nextInt(8));
        }
      }
    }
    int ahs = (f[4] & 0xFF) * 4;
    if (redigest && f.length >= 48 + ahs + 4) {
      byte[] d = crc(Arrays.copyOf(f, 48 + ahs));
      System.arraycopy(d, 0, f, 48 + ahs, 4);
    }
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static void skipAvailable(InputStream in) throws IOException {
    int n = in.available();
    if (n > 0) {
      in.skipNBytes(n);
    }
  }

  /** Reads what the target sends until it closes or is quiet for a moment. */
  private static void drain(Socket s, InputStream in) throws IOException {
    s.setSoTimeout(50);
    byte[] b = new byte[65536];
    try {
      while (in.read(b) >= 0) {
        // discarded
      }
    } catch (SocketTimeoutException e) {
      // quiet: the connection is left for the target to clean up
    }
  }

  /** After all that, a sound session writes 8 blocks with immediate data and reads them. */
  private static void soundSession(InetSocketAddress portal) throws IOException {
    try (var c = new IscsiTargetDriverTest.Client(portal)) {
      ByteBuffer r = c.login("InitiatorName=iqn.2026-11.test:after-fuzz", "TargetName=iqn.2026-11.test:disk",
          "ImmediateData=Yes", "InitialR2T=No", "FirstBurstLength=4096");
      assertThat(r.getShort(36)).isZero();
      byte[] data = FakeCore.patterned(4096);
      ByteBuffer write = IscsiTargetDriverTest.Client.bhs(0x01, 0xA0, 1);
      write.putInt(20, 4096).putInt(24, c.cmdSN++).put(32, (byte) 0x2A).putInt(34, 100)
          .putShort(39, (short) 8);
      c.send(write, data);
      ByteBuffer status = c.read(null);
      assertThat(status.get(0) & 0x3F).isEqualTo(Opcode.SCSI_RESPONSE);
      assertThat(status.get(3)).as("GOOD").isZero();
      ByteBuffer read = IscsiTargetDriverTest.Client.bhs(0x01, 0xC0, 2);
      read.putInt(20, 4096).putInt(24, c.cmdSN++).put(32, (byte) 0x28).putInt(34, 100)
          .putShort(39, (short) 8);
      c.send(read, new byte[0]);
      ByteArrayOutputStream back = new ByteArrayOutputStream();
      byte[][] d = new byte[1][];
      ByteBuffer pdu;
      do {
        pdu = c.read(d);
        back.writeBytes(d[0]);
      } while ((pdu.get(1) & 0x01) == 0 && (pdu.get(0) & 0x3F) == Opcode.DATA_IN);
      assertThat(back.toByteArray()).isEqualTo(data);
    }
  }
}
