package io.karst.core.internal;

import static io.karst.core.internal.TestBed.cdb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;
import io.karst.api.mgmt.Management.AttributeInfo;
import io.karst.api.mgmt.Management.ObjectInfo;
import io.karst.api.mgmt.ManagementException;
import io.karst.api.target.SessionDetails;
import io.karst.api.target.SessionEvents;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * What a driver shows of its sessions in the management tree (sessions with their connections,
 * as iscsi-scst's sysfs), beside core's counters; and core telling a driver its targets
 * changed.
 */
class SessionDetailsTest extends BedTest {

  private static final String SESSION = "/targets/probe/p/sessions/iqn.test:probe";

  private final ProbeDriver probe = new ProbeDriver("probe");

  @Override
  String config() {
    return TestBed.CONFIG + "TARGET_DRIVER probe {\n enabled 1\n TARGET p {\n  enabled 1\n"
        + "  LUN 0 disk0\n }\n}\n";
  }

  private static AttributeDescriptor described(String name) {
    return AttributeDescriptor.builder(name, AttributeType.STRING).description("the " + name)
        .build();
  }

  /** Starts the probe, describing its attributes, with a session showing {@code details}. */
  private void open(Supplier<SessionDetails> details) throws Exception {
    probe.sessionAttributes = List.of(described("sid"), described("HeaderDigest"));
    probe.connectionAttributes = List.of(described("cid"), described("ip"));
    bed.engine.addDriver(probe);
    bed.engine.settle();
    probe.context.openSession("p", "iqn.test:probe", new SessionEvents() {
      @Override
      public void closeRequested(String reason) {}

      @Override
      public SessionDetails details() {
        return details.get();
      }
    });
  }

  private static List<String> values(ObjectInfo node) {
    return node.attributes().stream().map(a -> a.name() + "=" + a.value()).toList();
  }

  @Test
  void aSessionShowsCoresCountersThenTheDescribedDriverAttributesAndItsConnections()
      throws Exception {
    open(() -> new SessionDetails(Map.of("HeaderDigest", "CRC32C", "sid", "1234",
        "undescribed", "x"), List.of(
            new SessionDetails.Connection("10.0.0.1", Map.of("cid", "1", "ip", "10.0.0.1")),
            new SessionDetails.Connection("10.0.0.1_1", Map.of("cid", "2")))));
    ObjectInfo session = bed.engine.object(SESSION);
    assertThat(session.kind()).isEqualTo("session");
    assertThat(values(session)).containsExactly("initiator_name=iqn.test:probe", "commands=0",
        "read_io_count_kb=0", "write_io_count_kb=0", "errors=0", "sid=1234",
        "HeaderDigest=CRC32C");
    assertThat(session.attributes()).allSatisfy(a -> {
      assertThat(a.writable()).isFalse();
      assertThat(a.key()).as("no configuration holds it").isFalse();
    });
    assertThat(session.children()).containsExactly("10.0.0.1", "10.0.0.1_1");
    ObjectInfo second = bed.engine.object(SESSION + "/10.0.0.1_1");
    assertThat(second.kind()).isEqualTo("connection");
    assertThat(values(second)).containsExactly("cid=2");
    assertThat(values(bed.engine.object(SESSION + "/10.0.0.1")))
        .containsExactly("cid=1", "ip=10.0.0.1");
    assertThatThrownBy(() -> bed.engine.object(SESSION + "/10.0.0.2"))
        .isInstanceOf(ManagementException.class).hasMessageContaining("10.0.0.1, 10.0.0.1_1");
    assertThatThrownBy(() -> bed.engine.object(SESSION + "/10.0.0.1/x"))
        .isInstanceOf(ManagementException.class);
  }

  @Test
  void jmxShowsTheSessionAndItsConnectionsAsTheTreeDoes() throws Exception {
    open(() -> new SessionDetails(Map.of("sid", "1234"), List.of(
        new SessionDetails.Connection("10.0.0.1", Map.of("cid", "1", "ip", "10.0.0.1")))));
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    JmxTree tree = new JmxTree(server, bed.engine);
    try {
      tree.sync();
      ObjectName session = JmxTree.name(bed.engine.object(SESSION));
      ObjectName connection = JmxTree.name(bed.engine.object(SESSION + "/10.0.0.1"));
      assertThat(session.getKeyProperty("type")).isEqualTo("session");
      assertThat(server.getAttribute(session, "sid")).isEqualTo("1234");
      assertThat(server.getAttribute(session, "commands")).isEqualTo(0L);
      assertThat(connection.getKeyProperty("type")).isEqualTo("connection");
      assertThat(server.getAttribute(connection, "ip")).isEqualTo("10.0.0.1");
    } finally {
      tree.unregisterAll();
    }
  }

  @Test
  void aDriverThatFailsToShowItsSessionLeavesCoresAttributes() throws Exception {
    open(() -> {
      throw new IllegalStateException("broken");
    });
    ObjectInfo session = bed.engine.object(SESSION);
    assertThat(session.attributes()).extracting(AttributeInfo::name).containsExactly(
        "initiator_name", "commands", "read_io_count_kb", "write_io_count_kb", "errors");
    assertThat(session.children()).isEmpty();
  }

  @Test
  void theCountersFollowTheCommands() throws Exception {
    // 8 blocks of 512 bytes read, then a command that fails (LBA out of range).
    assertThat(TestBed.send(bed.session, 0, cdb(0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0), null, 4096)
        .good()).isTrue();
    assertThat(TestBed.send(bed.session, 0, cdb(0x28, 0, 0x7F, 0, 0, 0, 0, 0, 1, 0), null, 512)
        .good()).isFalse();
    assertThat(values(bed.engine.object("/targets/local/t1/sessions/iqn.test:host")))
        .contains("commands=2", "read_io_count_kb=4", "errors=1");
  }

  @Test
  void aDriverIsToldWhenItsTargetsChangeAndNotForLunsAlone() throws Exception {
    open(() -> SessionDetails.NONE);
    int before = probe.targetsChanged.get();
    bed.engine.execute("/targets/probe", "add_target q");
    assertThat(probe.targetsChanged).as("added").hasValue(before + 1);
    bed.engine.set("/targets/probe/q", "enabled", "1");
    assertThat(probe.targetsChanged).as("enabled").hasValue(before + 2);
    bed.engine.execute("/targets/probe/p/luns", "add 1 disk1");
    assertThat(probe.targetsChanged).as("a LUN is not announced").hasValue(before + 2);
    bed.engine.execute("/targets/probe", "del_target q");
    assertThat(probe.targetsChanged).as("removed").hasValue(before + 3);
  }
}
