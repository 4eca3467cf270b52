package io.karst.itests;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.itests.KarstServer.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * iSNS (RFC 4171) against open-isns's server: the server registers its enabled targets and
 * portal when it starts, with {@code iSNSServer} set, registers and deregisters the targets
 * enabled, added, disabled and removed while it runs, and the portals changed, and removes
 * them all when it stops; a query as an initiator (isnsadm) sees exactly that.
 */
class IsnsE2EIT {

  private static final int PORT = 13264;
  private static final int ISNS_PORT = 13265;
  /** The portal the driver moves to while it runs. */
  private static final int MOVED_PORT = 13276;
  private static final String IQN = "iqn.2026-11.io.karst:isns";
  private static final String DISABLED = "iqn.2026-11.io.karst:isns-disabled";
  private static final String ADDED = "iqn.2026-11.io.karst:isns-added";

  private static Path work;
  private static Process isnsd;
  private static KarstServer server;

  @BeforeAll
  static void start() throws Exception {
    KarstServer.requireTools("isnsd", "isnsadm");
    work = Path.of("target", "isnsd").toAbsolutePath();
    Files.createDirectories(work.resolve("db"));
    Files.writeString(work.resolve("isnsd.conf"), String.join("\n",
        "BindAddress = 127.0.0.1:" + ISNS_PORT,
        "Database = " + work.resolve("db"),
        "PIDFile = " + work.resolve("isnsd.pid"),
        "ControlSocket = " + work.resolve("control"),
        "SourceName = iqn.2026-11.io.karst.test:isnsd",
        "Security = 0",
        "SLPRegister = 0",
        "DefaultDiscoveryDomain = 1",
        "RegistrationPeriod = 10m",
        ""));
    Files.writeString(work.resolve("client.conf"), String.join("\n",
        "ServerAddress = 127.0.0.1:" + ISNS_PORT,
        "SourceName = iqn.2026-11.io.karst.test:isns-query",
        "Security = 0",
        ""));
    isnsd = new ProcessBuilder("isnsd", "-f", "-c", work.resolve("isnsd.conf").toString())
        .redirectErrorStream(true).redirectOutput(work.resolve("isnsd.out").toFile()).start();
    server = KarstServer.start("isns", PORT, KarstServer.handler("vdisk_fileio",
            KarstServer.device("d", 1 << 20))
        + KarstServer.iscsi(PORT, "  iSNSServer 127.0.0.1:" + ISNS_PORT + "\n",
            KarstServer.target(IQN, "alias karst isns test", "LUN 0 d"),
            "  TARGET " + DISABLED + " {\n    enabled 0\n    LUN 0 d\n  }\n"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (isnsd != null) {
      isnsd.destroy();
      isnsd.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** What isnsadm lists of the given object type, as an initiator querying the server. */
  private static String list(String type) throws Exception {
    Result r = KarstServer.run(30, "isnsadm", "-c", work.resolve("client.conf").toString(),
        "--list", type);
    return r.output();
  }

  /** The entity identifiers in a listing of entities. */
  private static List<String> identifiers(String entities) {
    return entities.lines().filter(l -> l.contains("Entity identifier = ")).map(String::trim)
        .toList();
  }

  /** Waits (a bounded number of tries) until the listing satisfies {@code until}. */
  private static String await(String type, Predicate<String> until) throws Exception {
    String out = list(type);
    for (int i = 0; i < 100 && !until.test(out); i++) {
      Thread.sleep(200);
      out = list(type);
    }
    return out;
  }

  @Test
  void theEnabledTargetsAndThePortalAreRegisteredAsTheyChangeUntilTheServerStops()
      throws Exception {
    String nodes = await("nodes", o -> o.contains(IQN));
    assertThat(nodes).contains("iSCSI name = \"" + IQN + "\"", "node type = Target",
        "iSCSI alias = \"karst isns test\"").doesNotContain(DISABLED);
    assertThat(list("portals")).contains("Portal IP address = 127.0.0.1",
        "Portal TCP/UDP port = " + PORT + "/tcp");
    String entities = list("entities");
    assertThat(entities).contains("Entity identifier = \"karst:", ":" + PORT + "\"");

    // Targets enabled, added, disabled and removed at run time follow at once.
    server.shell("karst:target-enable " + DISABLED);
    server.shell("karst:target-add iscsi " + ADDED);
    server.shell("karst:target-enable " + ADDED);
    nodes = await("nodes", o -> o.contains(DISABLED) && o.contains(ADDED));
    assertThat(nodes).contains("iSCSI name = \"" + IQN + "\"", "iSCSI name = \"" + DISABLED
        + "\"", "iSCSI name = \"" + ADDED + "\"");
    server.shell("karst:target-remove " + ADDED);
    server.shell("karst:target-disable " + DISABLED);
    nodes = await("nodes", o -> !o.contains(DISABLED) && !o.contains(ADDED));
    assertThat(nodes).contains("iSCSI name = \"" + IQN + "\"").doesNotContain(DISABLED, ADDED);

    // The portals changed: the entity, under the same name, has the new portal only.
    server.shell("karst:attr-set /targets/iscsi portals 127.0.0.1:" + MOVED_PORT);
    String portals = await("portals", o -> o.contains(MOVED_PORT + "/tcp")
        && !o.contains(PORT + "/tcp"));
    assertThat(portals).contains("Portal TCP/UDP port = " + MOVED_PORT + "/tcp")
        .doesNotContain("Portal TCP/UDP port = " + PORT + "/tcp");
    assertThat(identifiers(list("entities"))).as("the same entity, no second one")
        .isEqualTo(identifiers(entities)).hasSize(1);

    server.close();
    String after = await("nodes", o -> !o.contains(IQN));
    assertThat(after).as("deregistered when the server stopped").doesNotContain(IQN);
  }
}
