package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.karst.api.mgmt.AttributeDescriptor;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The driver on a real loopback socket, with a plain blocking client as the initiator. */
class IscsiTargetDriverTest {

  private final IscsiTargetDriver driver = new IscsiTargetDriver();

  @AfterEach
  void stop() {
    driver.stop();
  }

  /** A blocking initiator: PDUs as byte arrays over a socket. */
  static final class Client implements AutoCloseable {
    final Socket socket;
    final DataInputStream in;
    final OutputStream out;
    int cmdSN = 1;

    Client(InetSocketAddress portal) throws IOException {
      this(new Socket(portal.getAddress(), portal.getPort()));
      socket.setSoTimeout(5000);
    }

    /** A client on a socket already connected. */
    Client(Socket socket) throws IOException {
      this.socket = socket;
      in = new DataInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }

    void send(ByteBuffer bhs, byte[] data) throws IOException {
      bhs.put(5, (byte) (data.length >>> 16)).put(6, (byte) (data.length >>> 8))
          .put(7, (byte) data.length);
      out.write(bhs.array());
      out.write(data);
      out.write(new byte[-data.length & 3]);
      out.flush();
    }

    /** The next PDU: its BHS, and its data segment in {@code data[0]}. */
    ByteBuffer read(byte[][] data) throws IOException {
      byte[] bhs = new byte[48];
      in.readFully(bhs);
      ByteBuffer b = ByteBuffer.wrap(bhs);
      int length = b.getInt(4) & 0xFFFFFF;
      byte[] d = new byte[length];
      in.readFully(d);
      in.readFully(new byte[-length & 3]);
      if (data != null) {
        data[0] = d;
      }
      return b;
    }

    static ByteBuffer bhs(int opcode, int flags, int itt) {
      ByteBuffer b = ByteBuffer.allocate(48);
      b.put(0, (byte) opcode).put(1, (byte) flags).putInt(16, itt);
      return b;
    }

    ByteBuffer login(String... keys) throws IOException {
      return login(7, keys);
    }

    /** Logs in with an ISID of the random type and this qualifier. */
    ByteBuffer login(int isidQualifier, String... keys) throws IOException {
      ByteBuffer b = bhs(0x43, 0x83, 1);
      b.put(8, (byte) 0x40).put(13, (byte) isidQualifier).putInt(24, cmdSN);
      send(b, Initiator.text(keys));
      return read(null);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private InetSocketAddress start(FakeCore core) throws Exception {
    driver.start(core);
    assertThat(driver.boundPortals()).hasSize(1);
    return driver.boundPortals().get(0);
  }

  @Test
  void describesItsAttributes() {
    assertThat(driver.name()).isEqualTo("iscsi");
    Map<String, String> defaults = new HashMap<>();
    for (AttributeDescriptor d : driver.attributes()) {
      defaults.put(d.name(), d.defaultValue());
    }
    assertThat(defaults).containsEntry("portals", "0.0.0.0:3260")
        .containsEntry("nop_in_interval", "30").containsEntry("nop_in_timeout", "30")
        .containsEntry("max_recv_data_segment_length", "262144")
        .containsEntry("max_burst_length", "1048576")
        .containsEntry("first_burst_length", "262144")
        .containsEntry("max_outstanding_r2t", "8").containsEntry("immediate_data", "1")
        .containsEntry("initial_r2t", "0").containsEntry("queue_depth", "128");
    assertThat(driver.targetAttributes()).extracting(AttributeDescriptor::name)
        .containsExactly("alias", "tpgt", "IncomingUser", "OutgoingUser", "HeaderDigest",
            "DataDigest", "MaxConnections", "MaxSessions", "allowed_portal", "NopInInterval",
            "NopInTimeout", "RspTimeout", "redirect", "QueuedCommands", "InitialR2T",
            "ImmediateData", "MaxRecvDataSegmentLength", "MaxXmitDataSegmentLength",
            "MaxBurstLength", "FirstBurstLength", "MaxOutstandingR2T");
    assertThat(driver.targetAttributes()).extracting(AttributeDescriptor::defaultValue)
        .containsSubsequence("8", "0", null, null, null, "90", null, null);
    assertThat(driver.targetAttributes()).filteredOn(AttributeDescriptor::secret)
        .extracting(AttributeDescriptor::name).containsExactly("IncomingUser", "OutgoingUser");
    assertThat(driver.attributes()).filteredOn(AttributeDescriptor::multiValued)
        .extracting(AttributeDescriptor::name).containsExactly("IncomingUser");
    assertThat(driver.targetAttributes()).filteredOn(AttributeDescriptor::multiValued)
        .extracting(AttributeDescriptor::name).containsExactly("IncomingUser", "allowed_portal");
  }

  @Test
  void aShortSecretKeepsTheDriverStoppedAndIsNotInTheMessage() {
    FakeCore core = new FakeCore(FakeCore.settings("IncomingUser", "joe s3cret"));
    assertThatThrownBy(() -> new IscsiTargetDriver().start(core))
        .hasMessage("TARGET_DRIVER iscsi: IncomingUser joe: the secret has 6 bytes; CHAP "
            + "secrets need 12 to 1024")
        .message().doesNotContain("s3cret");
    FakeCore target = new FakeCore(FakeCore.settings());
    target.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:chap", true, true,
        Map.of("OutgoingUser", "tgt 12345678901")));
    assertThatThrownBy(() -> new IscsiTargetDriver().start(target))
        .hasMessageStartingWith("TARGET iqn.2026-11.test:chap: OutgoingUser tgt: the secret has 11 bytes");
    FakeCore same = new FakeCore(FakeCore.settings("IncomingUser", "joe 123456789012",
        "OutgoingUser", "tgt 123456789012"));
    assertThatThrownBy(() -> new IscsiTargetDriver().start(same))
        .hasMessageContaining("OutgoingUser tgt has the secret of an IncomingUser");
    FakeCore malformed = new FakeCore(FakeCore.settings("IncomingUser", "joe"));
    assertThatThrownBy(() -> new IscsiTargetDriver().start(malformed))
        .hasMessageContaining("IncomingUser takes a name and a secret");
  }

  @Test
  void aChangedTargetIsCheckedAsAtStartWithoutStartingAnything() {
    IscsiTargetDriver driver = new IscsiTargetDriver();
    Map<String, String> settings = FakeCore.settings();
    String name = "iqn.2026-11.test:chap";
    assertThatThrownBy(() -> driver.checkTarget(name, Map.of("IncomingUser", "joe s3cret"),
        settings))
        .hasMessage("TARGET " + name + ": IncomingUser joe: the secret has 6 bytes; CHAP "
            + "secrets need 12 to 1024")
        .message().doesNotContain("s3cret");
    assertThatThrownBy(() -> driver.checkTarget(name, Map.of("IncomingUser",
        "joe 123456789012", "OutgoingUser", "tgt 123456789012"), settings))
        .hasMessageContaining("OutgoingUser tgt has the secret of an IncomingUser");
    assertThatThrownBy(() -> driver.checkTarget(name, Map.of("OutgoingUser", "123456789012"),
        settings)).hasMessageContaining("OutgoingUser takes a name and a secret");
    assertThatThrownBy(() -> driver.checkTarget(name, Map.of("redirect", "10.0.0.1 later"),
        settings)).hasMessage("TARGET " + name + ": redirect '10.0.0.1 later' has type later, "
        + "not temp or perm");
    assertThatThrownBy(() -> driver.checkTarget(name, Map.of("MaxConnections", "0"), settings))
        .hasMessage("TARGET " + name + ": MaxConnections '0' is not 1 to 65535");
    // FirstBurstLength is bounded by the MaxBurstLength the driver offers (16384 here).
    assertThatThrownBy(() -> driver.checkTarget(name, Map.of("FirstBurstLength", "32768"),
        settings)).hasMessage("TARGET " + name + ": FirstBurstLength '32768' is not 512 to "
        + "16384");
    driver.checkTarget(name, Map.of("FirstBurstLength", "32768"),
        FakeCore.settings("max_burst_length", "65536"));
    assertThatThrownBy(() -> driver.checkTarget("iqn.bad name", Map.of(), settings))
        .hasMessageContaining("iqn.bad name");
    driver.checkTarget(name, Map.of("IncomingUser", "joe 123456789012\nann 210987654321",
        "OutgoingUser", "tgt 123456789013", "HeaderDigest", "CRC32C"), settings);

    assertThatThrownBy(() -> driver.checkAttributes(FakeCore.settings("OutgoingUser",
        "disc 12345")))
        .hasMessage("TARGET_DRIVER iscsi: OutgoingUser disc: the secret has 5 bytes; CHAP "
            + "secrets need 12 to 1024");
    assertThatThrownBy(() -> driver.checkAttributes(FakeCore.settings("queue_depth", "0")))
        .hasMessage("TARGET_DRIVER iscsi: queue_depth 0 is not 1 to 65536");
    driver.checkAttributes(settings);
    assertThat(driver.connections()).isEmpty();
  }

  @Test
  void aDigestListOtherThanCrc32cAndNoneKeepsTheDriverStopped() {
    FakeCore core = new FakeCore(FakeCore.settings());
    core.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:d", true, true,
        Map.of("DataDigest", "CRC32C,MD5")));
    assertThatThrownBy(() -> new IscsiTargetDriver().start(core))
        .hasMessage("TARGET iqn.2026-11.test:d: DataDigest 'CRC32C,MD5' is not CRC32C, None, or both "
            + "separated by a comma");
  }

  @Test
  void servesALoginAReadAndALogoutOverTcp() throws Exception {
    FakeCore core = new FakeCore(FakeCore.settings());
    InetSocketAddress portal = start(core);
    try (Client c = new Client(portal)) {
      ByteBuffer r = c.login("InitiatorName=iqn.2026-11.test:initiator", "TargetName=iqn.2026-11.test:disk",
          "MaxRecvDataSegmentLength=4096");
      assertThat(r.getShort(36)).isZero();
      assertThat(r.getShort(14)).isNotZero();

      ByteBuffer read = Client.bhs(0x01, 0xC0, 5);
      read.putInt(20, 16 * 512).putInt(24, c.cmdSN++).put(32, (byte) 0x08).put(36, (byte) 16);
      c.send(read, new byte[0]);
      byte[][] data = new byte[1][];
      ByteBuffer first = c.read(data);
      assertThat(first.get(0) & 0x3F).isEqualTo(Opcode.DATA_IN);
      assertThat(data[0]).hasSize(4096);
      assertThat(data[0][100]).isEqualTo(FakeCore.pattern(100));
      ByteBuffer second = c.read(data);
      assertThat(second.get(1) & 0xFF).isEqualTo(0x81);
      assertThat(second.getInt(40)).isEqualTo(4096);

      ByteBuffer logout = Client.bhs(0x46, 0x80, 6);
      logout.putInt(24, c.cmdSN);
      c.send(logout, new byte[0]);
      ByteBuffer response = c.read(null);
      assertThat(response.get(0) & 0x3F).isEqualTo(Opcode.LOGOUT_RESPONSE);
      assertThat(c.in.read()).as("closed after logout").isEqualTo(-1);
    }
    long deadline = System.currentTimeMillis() + 2000;
    while (!core.closed && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    assertThat(core.closed).isTrue();
  }

  @Test
  void anInitiatorThatStopsReadingIsNoLongerReadUntilItDrainsWhatWasSent() throws Exception {
    FakeCore core = new FakeCore(FakeCore.settings());
    core.behaviour = t -> t.finish(io.karst.api.scsi.Status.GOOD, null,
        t.transport.allocate(t, t.expected));
    InetSocketAddress portal = start(core);
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(64 << 10);
      socket.connect(portal);
      socket.setSoTimeout(5000);
      Client c = new Client(socket);
      assertThat(c.login("InitiatorName=iqn.2026-11.test:initiator", "TargetName=iqn.2026-11.test:disk",
          "MaxRecvDataSegmentLength=262144").getShort(36)).isZero();
      // A window's worth of 2 MiB reads, more than the high water mark and the socket
      // buffers hold, and nothing read.
      int commands = 16;
      int length = 2 << 20;
      for (int i = 0; i < commands; i++) {
        ByteBuffer read = Client.bhs(0x01, 0xC0, 100 + i);
        read.putInt(20, length).putInt(24, c.cmdSN++).put(32, (byte) 0x28)
            .putShort(39, (short) (length / 512));
        c.send(read, new byte[0]);
      }
      IscsiConnection connection = driver.connections().get(0);
      long deadline = System.currentTimeMillis() + 5000;
      while (connection.channel.config().isAutoRead()
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      assertThat(connection.channel.config().isAutoRead()).as("stopped reading").isFalse();
      int statuses = 0;
      long received = 0;
      byte[][] data = new byte[1][];
      while (statuses < commands) {
        ByteBuffer pdu = c.read(data);
        received += data[0].length;
        boolean status = (pdu.get(0) & 0x3F) == Opcode.SCSI_RESPONSE
            || ((pdu.get(0) & 0x3F) == Opcode.DATA_IN && (pdu.get(1) & 0x01) != 0);
        if (status) {
          statuses++;
        }
      }
      assertThat(received).isEqualTo((long) commands * length);
      deadline = System.currentTimeMillis() + 5000;
      while (!connection.channel.config().isAutoRead() && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      assertThat(connection.channel.config().isAutoRead()).as("reading again").isTrue();
      ByteBuffer nop = Client.bhs(0x40 | 0x00, 0x80, 9);
      nop.putInt(20, -1).putInt(24, c.cmdSN);
      c.send(nop, new byte[0]);
      assertThat(c.read(null).get(0) & 0x3F).isEqualTo(Opcode.NOP_IN);
    }
  }

  @Test
  void aBrokenConnectionDoesNotDisturbAnother() throws Exception {
    InetSocketAddress portal = start(new FakeCore(FakeCore.settings()));
    try (Client good = new Client(portal); Client bad = new Client(portal)) {
      bad.out.write(new byte[48]);
      bad.out.flush();
      assertThat(bad.in.read()).as("a non-login PDU before login closes").isEqualTo(-1);
      ByteBuffer r = good.login("InitiatorName=iqn.2026-11.test:i", "SessionType=Discovery");
      assertThat(r.getShort(36)).isZero();
      ByteBuffer text = Client.bhs(0x44, 0x80, 9);
      text.putInt(20, -1).putInt(24, good.cmdSN++);
      good.send(text, Initiator.text("SendTargets=All"));
      byte[][] data = new byte[1][];
      good.read(data);
      assertThat(new String(data[0], StandardCharsets.UTF_8)).isEqualTo(
          "TargetName=iqn.2026-11.test:disk\0TargetAddress=127.0.0.1:" + portal.getPort() + ",7\0");
    }
  }

  @Test
  void stopAsksForLogoutClosesAndStartsAgain() throws Exception {
    FakeCore core = new FakeCore(FakeCore.settings());
    InetSocketAddress portal = start(core);
    try (Client c = new Client(portal)) {
      c.login("InitiatorName=iqn.2026-11.test:initiator", "TargetName=iqn.2026-11.test:disk");
      long t0 = System.nanoTime();
      Thread stopper = new Thread(driver::stop);
      stopper.start();
      ByteBuffer async = c.read(null);
      assertThat(async.get(0) & 0x3F).isEqualTo(Opcode.ASYNC_MESSAGE);
      assertThat(async.get(36)).isEqualTo((byte) AsyncMessage.LOGOUT_REQUEST);
      stopper.join(10000);
      assertThat(System.nanoTime() - t0).isLessThan(8_000_000_000L);
      assertThat(c.in.read()).isEqualTo(-1);
      assertThat(core.closed).isTrue();
    }
    FakeCore again = new FakeCore(FakeCore.settings("portals", "127.0.0.1:" + portal.getPort()));
    driver.start(again);
    try (Client c = new Client(portal)) {
      assertThat(c.login("InitiatorName=iqn.2026-11.test:i", "SessionType=Discovery").getShort(36))
          .isZero();
    }
  }

  @Test
  void aLoginWithALiveSessionsIsidReinstatesItAndOtherIsidsCoexist() throws Exception {
    FakeCore core = new FakeCore(FakeCore.settings());
    InetSocketAddress portal = start(core);
    String[] keys = {"InitiatorName=iqn.2026-11.test:initiator", "TargetName=iqn.2026-11.test:disk"};
    try (Client old = new Client(portal); Client other = new Client(portal);
        Client again = new Client(portal)) {
      int oldTsih = old.login(1, keys).getShort(14);
      assertThat(other.login(2, keys).getShort(36)).isZero();
      ByteBuffer r = again.login(1, keys);
      assertThat(r.getShort(36)).isZero();
      assertThat(r.getShort(14)).isNotEqualTo((short) oldTsih);
      assertThat(old.in.read()).as("the reinstated session's connection is closed")
          .isEqualTo(-1);
      for (Client c : List.of(other, again)) {
        ByteBuffer nop = Client.bhs(0x40 | 0x40, 0x80, 3);
        nop.putInt(20, -1).putInt(24, c.cmdSN);
        c.send(nop, new byte[0]);
        assertThat(c.read(null).get(0) & 0x3F).as("still serving").isEqualTo(Opcode.NOP_IN);
      }
    }
  }

  @Test
  void twoConnectionsOfOneSessionOnTheirOwnEventLoopsShareTheCommandOrder() throws Exception {
    FakeCore core = new FakeCore(FakeCore.settings());
    core.behaviour = FakeCore::block;
    InetSocketAddress portal = start(core);
    try (Client a = new Client(portal); Client b = new Client(portal)) {
      ByteBuffer r = a.login(1, "InitiatorName=iqn.2026-11.test:initiator", "TargetName=iqn.2026-11.test:disk",
          "MaxConnections=2");
      int tsih = r.getShort(14) & 0xFFFF;
      ByteBuffer join = Client.bhs(0x43, 0x83, 2);
      join.put(8, (byte) 0x40).put(13, (byte) 1).putShort(14, (short) tsih)
          .putShort(20, (short) 1).putInt(24, 1);
      b.send(join, Initiator.text("InitiatorName=iqn.2026-11.test:initiator",
          "TargetName=iqn.2026-11.test:disk"));
      ByteBuffer joined = b.read(null);
      assertThat(joined.getShort(36)).isZero();
      assertThat(joined.getShort(14) & 0xFFFF).isEqualTo(tsih);

      // Many rounds, each with the later CmdSN sent first on the other connection.
      int cmdSN = 1;
      for (int round = 0; round < 50; round++) {
        byte[] data = new byte[512];
        java.util.Arrays.fill(data, (byte) round);
        ByteBuffer write = Client.bhs(0x01, 0xA0, 100 + round);
        write.putInt(20, 512).putInt(24, cmdSN + 1).put(32, (byte) 0x2A).putInt(34, round)
            .putShort(39, (short) 1);
        b.send(write, data);
        ByteBuffer read = Client.bhs(0x01, 0xC0, 200 + round);
        read.putInt(20, 512).putInt(24, cmdSN).put(32, (byte) 0x28)
            .putInt(34, Math.max(0, round - 1)).putShort(39, (short) 1);
        a.send(read, new byte[0]);
        cmdSN += 2;
        byte[][] in = new byte[1][];
        ByteBuffer dataIn = a.read(in);
        assertThat(dataIn.getInt(16)).isEqualTo(200 + round);
        assertThat(in[0]).as("what the previous round wrote")
            .containsOnly((byte) Math.max(0, round - 1));
        ByteBuffer status = b.read(null);
        assertThat(status.get(0) & 0x3F).isEqualTo(Opcode.SCSI_RESPONSE);
        assertThat(status.getInt(16)).isEqualTo(100 + round);
        assertThat(status.get(3)).isZero();
      }
      assertThat(core.tasks).extracting(t -> t.tag).as("core got them in CmdSN order")
          .isSortedAccordingTo((x, y) -> Long.compare(x % 100 * 2 + (x / 100 == 2 ? 0 : 1),
              y % 100 * 2 + (y / 100 == 2 ? 0 : 1)));
    }
  }

  /** SendTargets=All in a discovery session through this client. */
  private static String sendTargets(Client c) throws IOException {
    assertThat(c.login("InitiatorName=iqn.2026-11.test:i", "SessionType=Discovery").getShort(36))
        .isZero();
    return askSendTargets(c);
  }

  /** SendTargets=All in the discovery session this client has. */
  private static String askSendTargets(Client c) throws IOException {
    ByteBuffer text = Client.bhs(0x44, 0x80, 9);
    text.putInt(20, -1).putInt(24, c.cmdSN++);
    c.send(text, Initiator.text("SendTargets=All"));
    byte[][] data = new byte[1][];
    c.read(data);
    return new String(data[0], StandardCharsets.UTF_8);
  }

  @Test
  void aTargetIsOfferedOnlyOnItsAllowedPortalsIpv4AndIpv6() throws Exception {
    FakeCore core = new FakeCore(FakeCore.settings("portals", "127.0.0.1:0,127.0.0.2:0,[::1]:0"));
    core.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:two", true, true,
        Map.of("allowed_portal", "127.0.0.2\n::1")));
    driver.start(core);
    List<InetSocketAddress> portals = driver.boundPortals();
    int p1 = portals.get(0).getPort();
    int p2 = portals.get(1).getPort();
    int p6 = portals.get(2).getPort();
    try (Client c = new Client(portals.get(0))) {
      assertThat(sendTargets(c)).isEqualTo("TargetName=iqn.2026-11.test:disk\0"
          + "TargetAddress=127.0.0.1:" + p1 + ",7\0TargetAddress=127.0.0.2:" + p2 + ",7\0"
          + "TargetAddress=[::1]:" + p6 + ",7\0");
    }
    try (Client c = new Client(portals.get(1))) {
      assertThat(sendTargets(c)).contains("TargetName=iqn.2026-11.test:two\0"
          + "TargetAddress=127.0.0.2:" + p2 + ",7\0TargetAddress=[::1]:" + p6 + ",7\0");
    }
    try (Client c = new Client(portals.get(0))) {
      assertThat(c.login("InitiatorName=iqn.2026-11.test:i", "TargetName=iqn.2026-11.test:two").getShort(36))
          .as("not found on a portal it is not offered on").isEqualTo((short) 0x0203);
    }
    for (InetSocketAddress allowed : List.of(portals.get(1), portals.get(2))) {
      try (Client c = new Client(allowed)) {
        assertThat(c.login("InitiatorName=iqn.2026-11.test:i", "TargetName=iqn.2026-11.test:two")
            .getShort(36)).isZero();
      }
    }
  }

  @Test
  void aPortalInUseFailsTheStartAndLeavesNothingOpen() throws Exception {
    InetSocketAddress portal = start(new FakeCore(FakeCore.settings()));
    IscsiTargetDriver other = new IscsiTargetDriver();
    FakeCore core = new FakeCore(FakeCore.settings("portals",
        "127.0.0.1:0,127.0.0.1:" + portal.getPort()));
    assertThatThrownBy(() -> other.start(core)).isInstanceOf(IllegalStateException.class);
    assertThat(other.boundPortals()).isEmpty();
    other.stop();
  }

  @Test
  void portalsChangeWhileRunningAndSessionsOfARemovedPortalStay() throws Exception {
    FakeCore core = new FakeCore(FakeCore.settings());
    InetSocketAddress a = start(core);
    String[] keys = {"InitiatorName=iqn.2026-11.test:i", "TargetName=iqn.2026-11.test:disk"};
    try (Client normal = new Client(a); Client discovery = new Client(a);
        Client logging = new Client(a)) {
      assertThat(normal.login(keys).getShort(36)).isZero();
      assertThat(sendTargets(discovery))
          .isEqualTo("TargetName=iqn.2026-11.test:disk\0TargetAddress=127.0.0.1:" + a.getPort()
              + ",7\0");
      // A login past its security stage, not yet in full feature phase.
      ByteBuffer security = Client.bhs(0x43, 0x81, 1);
      security.put(8, (byte) 0x40).put(13, (byte) 9).putInt(24, logging.cmdSN);
      logging.send(security, Initiator.text(keys[0], keys[1], "AuthMethod=None"));
      assertThat(logging.read(null).getShort(36)).isZero();

      driver.set("portals", "127.0.0.2:0");

      assertThat(driver.boundPortals()).singleElement()
          .satisfies(b -> assertThat(b.getAddress().getHostAddress()).isEqualTo("127.0.0.2"));
      InetSocketAddress b = driver.boundPortals().get(0);
      assertThatThrownBy(() -> new Socket(a.getAddress(), a.getPort()).close())
          .as("the removed portal accepts no connection").isInstanceOf(IOException.class);
      assertThat(logging.in.read()).as("a login in progress through it is cut").isEqualTo(-1);
      ByteBuffer nop = Client.bhs(0x40 | 0x40, 0x80, 3);
      nop.putInt(20, -1).putInt(24, normal.cmdSN);
      normal.send(nop, new byte[0]);
      assertThat(normal.read(null).get(0) & 0x3F).as("a session through it stays")
          .isEqualTo(Opcode.NOP_IN);
      assertThat(askSendTargets(discovery)).as("discovery lists the new portals at once")
          .isEqualTo("TargetName=iqn.2026-11.test:disk\0TargetAddress=127.0.0.2:"
              + b.getPort() + ",7\0");
      try (Client c = new Client(b)) {
        assertThat(c.login(3, keys).getShort(36)).isZero();
      }
    }
  }

  @Test
  void aPortalThatCannotListenRefusesTheChangeAndNothingChanges() throws Exception {
    InetSocketAddress a = start(new FakeCore(FakeCore.settings()));
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      String portal = "127.0.0.1:" + taken.getLocalPort();
      assertThatThrownBy(() -> driver.set("portals", "127.0.0.3:0," + portal))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("portal " + portal + " cannot listen: Address already in use");
    }
    assertThatThrownBy(() -> driver.set("portals", "192.0.2.1:3260"))
        .as("an address not on this host").isInstanceOf(IllegalStateException.class)
        .hasMessage("portal 192.0.2.1:3260 cannot listen: Cannot assign requested address");
    assertThat(driver.boundPortals()).containsExactly(a);
    try (Client c = new Client(a)) {
      assertThat(c.login("InitiatorName=iqn.2026-11.test:i", "SessionType=Discovery")
          .getShort(36)).isZero();
    }
  }

  @Test
  void aPortalMovesBetweenAnAddressAndTheWildcardOnItsPortAndBackWhenRefused()
      throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    driver.start(new FakeCore(FakeCore.settings("portals", "127.0.0.1:" + port)));
    InetSocketAddress specific = new InetSocketAddress("127.0.0.1", port);

    // The wildcard takes the port the specific address held.
    driver.set("portals", "0.0.0.0:" + port);
    assertThat(driver.boundPortals()).singleElement().satisfies(w -> {
      assertThat(w.getAddress().isAnyLocalAddress()).isTrue();
      assertThat(w.getPort()).isEqualTo(port);
    });
    driver.set("portals", "127.0.0.1:" + port);
    assertThat(driver.boundPortals()).containsExactly(specific);

    // Another socket holds the port on 127.0.0.2: the wildcard cannot have it, and the
    // specific address listens again.
    try (ServerSocket other = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.2"))) {
      assertThatThrownBy(() -> driver.set("portals", "0.0.0.0:" + port))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("portal 0.0.0.0:" + port + " cannot listen: ");
    }
    assertThat(driver.boundPortals()).containsExactly(specific);
    try (Client c = new Client(specific)) {
      assertThat(c.login("InitiatorName=iqn.2026-11.test:i", "SessionType=Discovery")
          .getShort(36)).isZero();
    }
  }

  @Test
  void portalsParse() throws Exception {
    assertThat(IscsiService.parsePortals(" 127.0.0.1:3261 , [::1]:3262,localhost"))
        .extracting(InetSocketAddress::getPort).containsExactly(3261, 3262, 3260);
    assertThatThrownBy(() -> IscsiService.parsePortals("1.2.3.4:70000"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IscsiService.parsePortals("[::1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IscsiService.parsePortals("127.0.0.1:3261, 127.0.0.1:3261"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("portals: 127.0.0.1:3261 is given twice");
    assertThatThrownBy(() -> driver.checkAttributes(FakeCore.settings("portals", "[::1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("TARGET_DRIVER iscsi: address '[::1': unclosed '['");
  }
}
