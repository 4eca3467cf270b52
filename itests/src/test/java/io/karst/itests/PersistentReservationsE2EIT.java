package io.karst.itests;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.itests.IscsiInitiator.Response;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Persistent reservations with APTPL survive the server's JVM being killed (SPC-4 5.13.5):
 * two initiators register and one reserves, the Karaf JVM gets SIGKILL, and the restarted
 * server reports the same keys, holder, type and generation.
 */
class PersistentReservationsE2EIT {

  private static final int PORT = 13270;
  private static final String IQN = "iqn.2026-11.io.karst:pr";
  private static final String FIRST = "iqn.2026-11.io.karst:pr-first";
  private static final String SECOND = "iqn.2026-11.io.karst:pr-second";
  private static final long FIRST_ISID = 0x400000000001L;
  private static final long SECOND_ISID = 0x400000000002L;
  private static final int GOOD = 0x00;
  private static final int RESERVATION_CONFLICT = 0x18;
  private static final int WRITE_EXCLUSIVE_REGISTRANTS_ONLY = 5;

  private static KarstServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = KarstServer.start("pr-e2e", PORT, KarstServer.handler("vdisk_fileio",
            KarstServer.device("disk0", 16L << 20))
        + KarstServer.iscsi(PORT, KarstServer.target(IQN, "LUN 0 disk0")));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void registrationsAndTheReservationSurviveSigkill() throws Exception {
    int generation;
    try (IscsiInitiator first = login(FIRST, FIRST_ISID);
        IscsiInitiator second = login(SECOND, SECOND_ISID)) {
      assertThat(registerAndIgnore(first, 0xA1A1L).status()).isEqualTo(GOOD);
      assertThat(registerAndIgnore(second, 0xB2B2L).status()).isEqualTo(GOOD);
      assertThat(prout(first, 0x01, WRITE_EXCLUSIVE_REGISTRANTS_ONLY,
          basic(0xA1A1L, 0, 0)).status()).isEqualTo(GOOD);
      generation = ByteBuffer.wrap(prin(first, 0x00).data()).getInt(0);
      assertThat(generation).isEqualTo(2);
    }

    server.kill();
    server.start();

    try (IscsiInitiator first = login(FIRST, FIRST_ISID);
        IscsiInitiator stranger = login("iqn.2026-11.io.karst:pr-stranger", 0x400000000003L)) {
      ByteBuffer keys = ByteBuffer.wrap(prin(first, 0x00).data());
      assertThat(keys.getInt(0)).as("PRgeneration").isEqualTo(generation);
      assertThat(keys.getInt(4)).isEqualTo(16);
      assertThat(keys.getLong(8)).isEqualTo(0xA1A1L);
      assertThat(keys.getLong(16)).isEqualTo(0xB2B2L);
      ByteBuffer reservation = ByteBuffer.wrap(prin(first, 0x01).data());
      assertThat(reservation.getInt(4)).as("reserved").isEqualTo(16);
      assertThat(reservation.getLong(8)).as("the holder's key").isEqualTo(0xA1A1L);
      assertThat(reservation.get(21)).isEqualTo((byte) WRITE_EXCLUSIVE_REGISTRANTS_ONLY);
      ByteBuffer full = ByteBuffer.wrap(prin(first, 0x03).data());
      assertThat(full.get(8 + 12) & 0x01).as("R_HOLDER of the first registrant").isEqualTo(1);
      byte[] id = new byte[full.getInt(8 + 20)];
      full.get(8 + 24, id);
      assertThat(new String(id, StandardCharsets.UTF_8))
          .contains(FIRST + ",i,0x" + Long.toHexString(FIRST_ISID));

      byte[] write10 = {0x2A, 0, 0, 0, 0, 8, 0, 0, 1, 0};
      assertThat(stranger.command(write10, new byte[512], 0).status())
          .as("an unregistered initiator may not write").isEqualTo(RESERVATION_CONFLICT);
      assertThat(first.command(write10, new byte[512], 0).status()).isEqualTo(GOOD);
      assertThat(prout(first, 0x03, 0, basic(0xA1A1L, 0, 0)).status()).as("CLEAR")
          .isEqualTo(GOOD);
    }
  }

  /** Logs in, waiting until the device is online (TEST UNIT READY answers GOOD). */
  private static IscsiInitiator login(String name, long isid) throws Exception {
    IscsiInitiator i = new IscsiInitiator(PORT, name, isid, IQN);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (i.command(new byte[6], new byte[0], 0).status() != GOOD) {
      assertThat(System.nanoTime()).as("disk0 online within 60 s").isLessThan(deadline);
      Thread.sleep(200);
    }
    return i;
  }

  private static byte[] basic(long key, long serviceActionKey, int flags) {
    return ByteBuffer.allocate(24).putLong(key).putLong(serviceActionKey).putInt(0)
        .put((byte) flags).array();
  }

  /** REGISTER AND IGNORE EXISTING KEY with APTPL set. */
  private static Response registerAndIgnore(IscsiInitiator i, long key) throws Exception {
    return prout(i, 0x06, 0, basic(0, key, 0x01));
  }

  private static Response prout(IscsiInitiator i, int action, int type, byte[] parameters)
      throws Exception {
    byte[] cdb = ByteBuffer.allocate(10).put((byte) 0x5F).put((byte) action).put((byte) type)
        .put((byte) 0).put((byte) 0).putInt(parameters.length).put((byte) 0).array();
    return i.command(cdb, parameters, 0);
  }

  private static Response prin(IscsiInitiator i, int action) throws Exception {
    Response r = i.command(new byte[] {0x5E, (byte) action, 0, 0, 0, 0, 0, 0x10, 0, 0},
        new byte[0], 4096);
    assertThat(r.status()).isEqualTo(GOOD);
    return r;
  }
}
