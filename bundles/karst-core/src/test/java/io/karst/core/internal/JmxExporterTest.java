package io.karst.core.internal;

import static io.karst.core.internal.TestBed.read10;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.mgmt.Management.Scope;
import javax.management.Attribute;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JmxExporterTest extends BedTest {

  private final MBeanServer server = MBeanServerFactory.newMBeanServer();
  private JmxExporter exporter;

  @AfterEach
  void stop() {
    exporter.stop();
  }

  @Test
  void devicesAndSessionsAppearWithLiveCountersAndGoWhenTheyGo() throws Exception {
    exporter = new JmxExporter(server, bed.engine);
    exporter.sync();
    ObjectName core = new ObjectName("io.karst:type=Core");
    ObjectName disk0 = JmxExporter.name(Scope.DEVICE, "disk0");
    ObjectName session = server.queryNames(new ObjectName("io.karst:type=Session,*"), null)
        .iterator().next();
    assertThat(server.queryNames(new ObjectName("io.karst:*"), null))
        .contains(core, disk0, JmxExporter.name(Scope.DEVICE, "disk1"), session);

    server.setAttribute(core, new Attribute("LatencyMeasurement", true));
    assertThat(bed.engine.latencyMeasurement()).isTrue();
    bed.send(0, read10(0, 2), null, 1024);
    assertThat(server.getAttribute(disk0, "Commands")).isEqualTo(1L);
    assertThat(server.getAttribute(disk0, "ReadBytes")).isEqualTo(1024L);
    assertThat(server.getAttribute(session, "ExecuteCount")).isEqualTo(1L);
    assertThat((Long) server.getAttribute(session, "ExecuteMaxNanos")).isPositive();
    assertThat(server.getMBeanInfo(disk0).getAttributes()).hasSize(4 + 4 * 5);

    server.invoke(core, "resetStatistics", null, null);
    assertThat(server.getAttribute(disk0, "Commands")).isEqualTo(0L);

    bed.session.close();
    exporter.sync();
    assertThat(server.isRegistered(session)).isFalse();
    assertThat(server.isRegistered(disk0)).isTrue();
    exporter.unregisterAll();
    assertThat(server.queryNames(new ObjectName("io.karst:*"), null)).isEmpty();
  }
}
