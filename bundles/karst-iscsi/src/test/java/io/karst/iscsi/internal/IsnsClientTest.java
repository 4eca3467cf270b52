package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Registration with an iSNS server (RFC 4171), against a scripted server on loopback. */
class IsnsClientTest {

  /** A request as the scripted server saw it: header fields and attributes in order. */
  record Request(int function, int flags, List<String> attributes) {}

  private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
  private final ServerSocket server;
  private final Thread serving;
  private final IscsiTargetDriver driver = new IscsiTargetDriver();
  /** The status the server answers to a deregistration: 0, or an error to refuse it. */
  private volatile int deregistrationStatus;

  IsnsClientTest() throws IOException {
    server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    serving = new Thread(this::serve);
    serving.setDaemon(true);
    serving.start();
  }

  @AfterEach
  void close() throws IOException {
    driver.stop();
    server.close();
  }

  /**
   * Answers every request with success, granting a registration period of 600 s, as many
   * requests on one connection as the client sends.
   */
  private void serve() {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        DataInputStream in = new DataInputStream(s.getInputStream());
        while (answer(s, in)) {
          // the next request on this connection
        }
      } catch (IOException e) {
        return;
      }
    }
  }

  /** Reads a request and answers it; false at the end of the connection. */
  private boolean answer(Socket s, DataInputStream in) throws IOException {
    if (in.read() < 0) {
      return false;
    }
    in.read();
    int function = in.readUnsignedShort();
    int length = in.readUnsignedShort();
    int flags = in.readUnsignedShort();
    int tx = in.readUnsignedShort();
    in.readUnsignedShort();
    ByteBuffer p = ByteBuffer.wrap(in.readNBytes(length));
    List<String> attributes = new ArrayList<>();
    while (p.remaining() >= 8) {
      int tag = p.getInt();
      byte[] v = new byte[p.getInt()];
      p.get(v);
      attributes.add(tag + "=" + render(tag, v));
    }
    requests.add(new Request(function, flags, attributes));
    ByteBuffer answer = ByteBuffer.allocate(12 + 16).putShort((short) 1)
        .putShort((short) (function | 0x8000)).putShort((short) 16)
        .putShort((short) 0x4C00).putShort((short) tx).putShort((short) 0)
        .putInt(function == Isns.DEV_DEREG ? deregistrationStatus : 0)
        .putInt(Isns.REGISTRATION_PERIOD).putInt(4).putInt(600);
    s.getOutputStream().write(answer.array());
    return true;
  }

  private static String render(int tag, byte[] v) {
    return switch (tag) {
      case Isns.ENTITY_IDENTIFIER, Isns.ISCSI_NAME, Isns.ISCSI_ALIAS, Isns.PG_ISCSI_NAME -> {
        assertThat(v.length % 4).as("strings are padded").isZero();
        assertThat(v[v.length - 1]).as("and NUL-terminated").isZero();
        yield new String(v, StandardCharsets.UTF_8).replace("\0", "");
      }
      case Isns.PORTAL_IP_ADDRESS, Isns.PG_PORTAL_IP_ADDR -> {
        assertThat(v).hasSize(16);
        yield (v[10] & 0xFF) + "," + (v[11] & 0xFF) + ":" + (v[12] & 0xFF) + "."
            + (v[13] & 0xFF) + "." + (v[14] & 0xFF) + "." + (v[15] & 0xFF);
      }
      case Isns.DELIMITER -> "";
      default -> String.valueOf(ByteBuffer.wrap(v).getInt());
    };
  }

  @Test
  void registersEnabledTargetsAndPortalsAndDeregistersOnStop() throws Exception {
    FakeCore core = new FakeCore(FakeCore.settings(IsnsClient.ATTRIBUTE,
        "127.0.0.1:" + server.getLocalPort()));
    driver.start(core);
    int port = driver.boundPortals().get(0).getPort();
    Request r = requests.poll(10, TimeUnit.SECONDS);
    assertThat(r).isNotNull();
    assertThat(r.function()).isEqualTo(Isns.DEV_ATTR_REG);
    assertThat(r.flags() & 0xFC00).as("client, replace, first and last PDU").isEqualTo(0x9C00);
    String entity = r.attributes().get(1).substring(2);
    assertThat(entity).startsWith("karst:").endsWith(":" + port);
    assertThat(r.attributes()).containsExactly(
        "32=iqn.2026-11.test:disk", "1=" + entity, "0=",
        "1=" + entity, "2=2",
        "16=255,255:127.0.0.1", "17=" + port,
        "32=iqn.2026-11.test:disk", "33=1", "34=alias of iqn.2026-11.test:disk",
        "32=iqn.2026-11.test:secret", "33=1", "34=alias of iqn.2026-11.test:secret",
        "48=iqn.2026-11.test:disk", "49=255,255:127.0.0.1", "50=" + port, "51=7",
        "48=iqn.2026-11.test:secret", "49=255,255:127.0.0.1", "50=" + port, "51=7");
    driver.stop();
    Request d = requests.poll(10, TimeUnit.SECONDS);
    assertThat(d.function()).isEqualTo(Isns.DEV_DEREG);
    assertThat(d.attributes()).containsExactly("32=iqn.2026-11.test:disk", "0=", "1=" + entity);
  }

  /** The next request the server saw. */
  private Request next() throws InterruptedException {
    Request r = requests.poll(10, TimeUnit.SECONDS);
    assertThat(r).as("a request").isNotNull();
    return r;
  }

  @Test
  void targetsAddedAndRemovedAtRunTimeAreRegisteredAndDeregisteredOneByOne() throws Exception {
    FakeCore core = new FakeCore(FakeCore.settings(IsnsClient.ATTRIBUTE,
        "127.0.0.1:" + server.getLocalPort()));
    driver.start(core);
    int port = driver.boundPortals().get(0).getPort();
    Request first = next();
    assertThat(first.flags() & Isns.REPLACE).isNotZero();
    String entity = first.attributes().get(1).substring(2);

    // Added (or enabled): registered into the entity, which keeps the others; no Replace.
    core.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:new", true, true));
    driver.targetsChanged();
    Request added = next();
    assertThat(added.function()).isEqualTo(Isns.DEV_ATTR_REG);
    assertThat(added.flags() & 0xFC00).as("client, first and last PDU").isEqualTo(0x8C00);
    assertThat(added.attributes()).startsWith("32=iqn.2026-11.test:disk", "1=" + entity, "0=",
        "1=" + entity, "2=2", "16=255,255:127.0.0.1", "17=" + port);
    assertThat(added.attributes()).containsSequence("32=iqn.2026-11.test:new", "33=1",
        "34=alias of iqn.2026-11.test:new").containsSequence("48=iqn.2026-11.test:new",
        "49=255,255:127.0.0.1", "50=" + port, "51=7");

    // Removed (or disabled): its node deregistered, by itself; the rest restated.
    core.targets.removeIf(t -> t.name().equals("iqn.2026-11.test:new"));
    driver.targetsChanged();
    Request removed = next();
    assertThat(removed.function()).isEqualTo(Isns.DEV_DEREG);
    assertThat(removed.attributes()).containsExactly("32=iqn.2026-11.test:new", "0=",
        "32=iqn.2026-11.test:new");
    Request restated = next();
    assertThat(restated.flags() & Isns.REPLACE).isZero();
    assertThat(restated.attributes()).doesNotContain("32=iqn.2026-11.test:new")
        .contains("32=iqn.2026-11.test:disk", "32=iqn.2026-11.test:secret");

    // A registered target whose portal groups change: the entity registered again whole.
    core.targets.replaceAll(t -> t.name().equals("iqn.2026-11.test:secret")
        ? new FakeCore.FakeTarget(t.name(), true, false, Map.of("allowed_portal", "10.*"))
        : t);
    driver.targetsChanged();
    Request replaced = next();
    assertThat(replaced.flags() & Isns.REPLACE).isNotZero();
    assertThat(replaced.attributes()).contains("32=iqn.2026-11.test:secret")
        .doesNotContain("48=iqn.2026-11.test:secret");

    // No enabled target left: the entity goes.
    core.targets.clear();
    driver.targetsChanged();
    Request gone = next();
    assertThat(gone.function()).isEqualTo(Isns.DEV_DEREG);
    assertThat(gone.attributes()).containsExactly("32=iqn.2026-11.test:disk", "0=", "1=" + entity);
    driver.stop();
    assertThat(requests.poll(200, TimeUnit.MILLISECONDS)).as("nothing left to deregister")
        .isNull();
  }

  @Test
  void aRefusedDeregistrationHasTheEntityRegisteredWholeNextTime() throws Exception {
    FakeCore core = new FakeCore(FakeCore.settings(IsnsClient.ATTRIBUTE,
        "127.0.0.1:" + server.getLocalPort()));
    driver.start(core);
    assertThat(next().flags() & Isns.REPLACE).isNotZero();
    deregistrationStatus = 8; // Source Unauthorized
    core.targets.removeIf(t -> t.name().equals("iqn.2026-11.test:secret"));
    driver.targetsChanged();
    assertThat(next().function()).isEqualTo(Isns.DEV_DEREG);
    deregistrationStatus = 0;
    driver.targetsChanged();
    Request again = next();
    assertThat(again.function()).isEqualTo(Isns.DEV_ATTR_REG);
    assertThat(again.flags() & Isns.REPLACE).as("the server may hold anything").isNotZero();
    assertThat(again.attributes()).doesNotContain("32=iqn.2026-11.test:secret");
  }

  @Test
  void portalsChangedAtRunTimeReplaceTheRegistrationUnderTheSameEntity() throws Exception {
    driver.start(new FakeCore(FakeCore.settings(IsnsClient.ATTRIBUTE,
        "127.0.0.1:" + server.getLocalPort())));
    int port = driver.boundPortals().get(0).getPort();
    String entity = next().attributes().get(1).substring(2);
    assertThat(entity).endsWith(":" + port);

    driver.set("portals", "127.0.0.2:0");
    int moved = driver.boundPortals().get(0).getPort();
    Request replaced = next();
    assertThat(replaced.function()).isEqualTo(Isns.DEV_ATTR_REG);
    assertThat(replaced.flags() & Isns.REPLACE).isNotZero();
    assertThat(replaced.attributes()).as("the entity keeps its name")
        .startsWith("32=iqn.2026-11.test:disk", "1=" + entity, "0=", "1=" + entity, "2=2",
            "16=255,255:127.0.0.2", "17=" + moved)
        .containsSequence("48=iqn.2026-11.test:disk", "49=255,255:127.0.0.2", "50=" + moved)
        .doesNotContain("16=255,255:127.0.0.1", "49=255,255:127.0.0.1");
  }

  @Test
  void anIsnsServerSetAtRunTimeIsRegisteredWithAndOneTakenAwayDeregistered() throws Exception {
    driver.start(new FakeCore(FakeCore.settings()));
    int port = driver.boundPortals().get(0).getPort();
    driver.set("portals", "127.0.0.2:0");
    assertThat(requests.poll(200, TimeUnit.MILLISECONDS)).as("no server yet").isNull();

    driver.set(IsnsClient.ATTRIBUTE, "127.0.0.1:" + server.getLocalPort());
    Request r = next();
    assertThat(r.function()).isEqualTo(Isns.DEV_ATTR_REG);
    assertThat(r.flags() & Isns.REPLACE).isNotZero();
    String entity = r.attributes().get(1).substring(2);
    assertThat(entity).as("named after the first portal at start").endsWith(":" + port);
    assertThat(r.attributes()).contains("16=255,255:127.0.0.2");

    driver.set(IsnsClient.ATTRIBUTE, null);
    Request d = next();
    assertThat(d.function()).isEqualTo(Isns.DEV_DEREG);
    assertThat(d.attributes()).containsExactly("32=iqn.2026-11.test:disk", "0=", "1=" + entity);
    assertThatThrownBy(() -> driver.checkAttributes(FakeCore.settings(IsnsClient.ATTRIBUTE,
        "a b"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("TARGET_DRIVER iscsi: iSNSServer 'a b': one host[:port] only");
  }

  @Test
  void aWildcardPortalIsRegisteredAsTheAddressTheServerSees() throws Exception {
    driver.start(new FakeCore(FakeCore.settings(IsnsClient.ATTRIBUTE,
        "127.0.0.1:" + server.getLocalPort(), "portals", "0.0.0.0:0")));
    Request r = requests.poll(10, TimeUnit.SECONDS);
    assertThat(r.attributes()).contains("16=255,255:127.0.0.1");
  }

  @Test
  void aTargetHasPortalGroupsOnlyOnItsAllowedPortals() throws Exception {
    FakeCore core = new FakeCore(FakeCore.settings(IsnsClient.ATTRIBUTE,
        "127.0.0.1:" + server.getLocalPort(), "portals", "127.0.0.1:0,127.0.0.2:0"));
    core.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:two", true, true,
        Map.of("allowed_portal", "127.0.0.2")));
    driver.start(core);
    int second = driver.boundPortals().get(1).getPort();
    Request r = requests.poll(10, TimeUnit.SECONDS);
    List<String> a = r.attributes();
    int group = a.indexOf("48=iqn.2026-11.test:two");
    assertThat(a.subList(group, a.size())).containsExactly("48=iqn.2026-11.test:two",
        "49=255,255:127.0.0.2", "50=" + second, "51=7");
  }

  @Test
  void aLongRequestIsSentInSeveralPdusAndAResponseIsGathered() throws Exception {
    Isns.Attributes a = new Isns.Attributes();
    for (int i = 0; i < 2000; i++) {
      a.string(Isns.ISCSI_NAME, "iqn.2026-11.io.karst:target-number-" + i);
    }
    int length = a.bytes().length;
    ByteBuffer b = ByteBuffer.wrap(Isns.request(Isns.DEV_ATTR_REG, 0, 9, a));
    List<Integer> sizes = new ArrayList<>();
    int sequence = 0;
    while (b.hasRemaining()) {
      assertThat(b.getShort()).isEqualTo((short) 1);
      assertThat(b.getShort()).isEqualTo((short) Isns.DEV_ATTR_REG);
      int n = b.getShort() & 0xFFFF;
      int flags = b.getShort() & 0xFFFF;
      assertThat(b.getShort()).isEqualTo((short) 9);
      assertThat(b.getShort()).as("sequence").isEqualTo((short) sequence);
      assertThat(flags & Isns.FIRST_PDU).isEqualTo(sequence == 0 ? Isns.FIRST_PDU : 0);
      b.position(b.position() + n);
      assertThat(flags & Isns.LAST_PDU).isEqualTo(b.hasRemaining() ? 0 : Isns.LAST_PDU);
      sizes.add(n);
      sequence++;
    }
    assertThat(sizes).hasSize(2).containsExactly(Isns.MAX_PDU_PAYLOAD,
        length - Isns.MAX_PDU_PAYLOAD);

    // A response over two PDUs: the status and one attribute, cut inside the attribute.
    ByteBuffer r = ByteBuffer.allocate(2 * 12 + 16);
    r.putShort((short) 1).putShort((short) 0x8001).putShort((short) 6).putShort((short) 0x4400)
        .putShort((short) 9).putShort((short) 0).putInt(0).putShort((short) 0);
    r.putShort((short) 1).putShort((short) 0x8001).putShort((short) 10).putShort((short) 0x4800)
        .putShort((short) 9).putShort((short) 1).putShort((short) Isns.REGISTRATION_PERIOD)
        .putInt(4).putInt(1234);
    Isns.Response response = Isns.read(new java.io.ByteArrayInputStream(r.array()),
        Isns.DEV_ATTR_REG, 9);
    assertThat(response.status()).isZero();
    assertThat(response.u32(Isns.REGISTRATION_PERIOD, 0)).isEqualTo(1234);
  }

  @Test
  void theServerAttributeParses() throws Exception {
    assertThat(IsnsClient.parse("127.0.0.1")).isEqualTo(new InetSocketAddress("127.0.0.1",
        3205));
    assertThat(IsnsClient.parse("[::1]:13205").getPort()).isEqualTo(13205);
    assertThatThrownBy(() -> IsnsClient.parse("10.0.0.1 AccessControl"))
        .hasMessageContaining("access control is not supported");
    FakeCore bad = new FakeCore(FakeCore.settings(IsnsClient.ATTRIBUTE, "127.0.0.1:99999"));
    assertThatThrownBy(() -> new IscsiTargetDriver().start(bad))
        .hasMessageContaining("the port is not 0 to 65535");
  }

  @Test
  void noServerNoRegistration() throws Exception {
    driver.start(new FakeCore(FakeCore.settings()));
    driver.stop();
    assertThat(requests.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }
}
