package io.karst.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.karst.api.mgmt.AttributeType;
import io.karst.api.mgmt.Management;
import io.karst.api.mgmt.ManagementException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.Attribute;
import javax.management.InvalidAttributeValueException;
import javax.management.MBeanException;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.ReflectionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The management tree's MBeans on the platform MBean server, over a tree that can change. */
class JmxTreeTest {

  private static final String T = "/targets/iscsi/iqn.2026-11.io.karst:default";

  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
  private final Map<String, Management.ObjectInfo> nodes = new LinkedHashMap<>();
  private final List<String> calls = new ArrayList<>();
  private final Management management = (Management) java.lang.reflect.Proxy.newProxyInstance(
      getClass().getClassLoader(), new Class<?>[] {Management.class}, (proxy, method, args) -> {
        switch (method.getName()) {
          case "object" -> {
            var node = nodes.get((String) args[0]);
            if (node == null) {
              throw new ManagementException("nothing at " + args[0]);
            }
            return node;
          }
          case "set" -> {
            if (args[2].equals("refuse")) {
              throw new ManagementException(args[1] + ": refuse is not a vendor");
            }
            calls.add("set " + args[0] + " " + args[1] + "=" + args[2]);
            return null;
          }
          case "execute" -> {
            if (((String) args[1]).contains("disk9")) {
              throw new ManagementException("no device disk9");
            }
            calls.add("execute " + args[0] + ": " + args[1]);
            return "done";
          }
          default -> throw new UnsupportedOperationException(method.getName());
        }
      });
  private final JmxTree tree = new JmxTree(server, management);

  JmxTreeTest() {
    node("/", "root", List.of(), List.of(), "handlers", "devices", "targets");
    node("/handlers", "handlers", List.of(), List.of(), "vdisk_fileio");
    node("/handlers/vdisk_fileio", "handler", List.of(), List.of(new Management.CommandInfo(
        "add_device", "add_device NAME [attribute=value; ...]", "Adds a device")), "disk0");
    node("/handlers/vdisk_fileio/disk0", "device", List.of(), List.of());
    node("/devices", "devices", List.of(), List.of(), "disk0");
    node("/devices/disk0", "device", List.of(
        attribute("size", AttributeType.SIZE, "1073741824", false, false),
        attribute("read_only", AttributeType.BOOLEAN, "0", true, false),
        attribute("t10_vend_id", AttributeType.STRING, "KARST", true, false)),
        List.of(new Management.CommandInfo("resync_size", "resync_size", "Rereads the size")));
    node("/targets", "targets", List.of(), List.of(), "iscsi");
    node("/targets/iscsi", "driver", List.of(), List.of(), "iqn.2026-11.io.karst:default");
    node(T, "target", List.of(attribute("IncomingUser", AttributeType.STRING, "joe ***\nann ***",
        true, true)), List.of(), "luns");
    node(T + "/luns", "luns", List.of(), List.of(
        new Management.CommandInfo("add", "add LUN DEVICE [read_only=1]", "Adds a LUN"),
        new Management.CommandInfo("clear", "clear", "Removes every LUN")));
  }

  private static Management.AttributeInfo attribute(String name, AttributeType type,
      String value, boolean writable, boolean multi) {
    return new Management.AttributeInfo(name, type, value, null, writable, false, false, multi,
        "the " + name);
  }

  private void node(String path, String kind, List<Management.AttributeInfo> attributes,
      List<Management.CommandInfo> commands, String... children) {
    nodes.put(path, new Management.ObjectInfo(path, kind, attributes, commands,
        List.of(children)));
  }

  @AfterEach
  void unregister() {
    tree.unregisterAll();
  }

  @Test
  void everyNodeIsAnMBeanNamedByKindAndPathAndADeviceOnlyOnce() throws Exception {
    tree.sync();
    assertThat(server.queryNames(new ObjectName("io.karst:*"), null)).containsExactlyInAnyOrder(
        new ObjectName("io.karst:type=handlers,name=handlers"),
        new ObjectName("io.karst:type=handler,name=vdisk_fileio"),
        new ObjectName("io.karst:type=devices,name=devices"),
        new ObjectName("io.karst:type=device,name=disk0"),
        new ObjectName("io.karst:type=targets,name=targets"),
        new ObjectName("io.karst:type=driver,name=iscsi"),
        new ObjectName("io.karst:type=target,name=" + ObjectName.quote(
            "iscsi/iqn.2026-11.io.karst:default")),
        new ObjectName("io.karst:type=luns,name=" + ObjectName.quote(
            "iscsi/iqn.2026-11.io.karst:default/luns")));
  }

  @Test
  void attributesAreTypedAndSetThroughTheTree() throws Exception {
    tree.sync();
    ObjectName disk0 = new ObjectName("io.karst:type=device,name=disk0");
    assertThat(server.getAttribute(disk0, "size")).isEqualTo(1073741824L);
    assertThat(server.getAttribute(disk0, "read_only")).isEqualTo(false);
    var info = server.getMBeanInfo(disk0).getAttributes();
    assertThat(info).extracting(a -> a.getName() + ":" + a.getType() + ":" + a.isWritable())
        .containsExactly("size:long:false", "read_only:boolean:true",
            "t10_vend_id:java.lang.String:true");
    server.setAttribute(disk0, new Attribute("read_only", true));
    server.setAttribute(disk0, new Attribute("t10_vend_id", "ACME"));
    assertThat(calls).containsExactly("set /devices/disk0 read_only=1",
        "set /devices/disk0 t10_vend_id=ACME");
    assertThatThrownBy(() -> server.setAttribute(disk0, new Attribute("t10_vend_id", "refuse")))
        .isInstanceOf(InvalidAttributeValueException.class)
        .hasMessage("t10_vend_id: refuse is not a vendor");

    ObjectName target = JmxTree.name(nodes.get(T));
    assertThat((String[]) server.getAttribute(target, "IncomingUser"))
        .containsExactly("joe ***", "ann ***");
    server.setAttribute(target, new Attribute("IncomingUser",
        new String[] {"joe secret123456", "ann other1234567"}));
    assertThat(calls).last().isEqualTo("set " + T + " IncomingUser=joe secret123456\n"
        + "ann other1234567");
  }

  @Test
  void commandsAreOperationsThatTakeTheRestOfTheLine() throws Exception {
    tree.sync();
    ObjectName luns = JmxTree.name(nodes.get(T + "/luns"));
    MBeanOperationInfo[] operations = server.getMBeanInfo(luns).getOperations();
    assertThat(operations).extracting(MBeanOperationInfo::getName).containsExactly("add", "clear");
    assertThat(operations[0].getSignature()).hasSize(1);
    assertThat(operations[1].getSignature()).isEmpty();
    assertThat(server.invoke(luns, "add", new Object[] {"1 disk1 read_only=1"},
        new String[] {String.class.getName()})).isEqualTo("done");
    server.invoke(luns, "clear", null, null);
    assertThat(calls).containsExactly("execute " + T + "/luns: add 1 disk1 read_only=1",
        "execute " + T + "/luns: clear");
    assertThatThrownBy(() -> server.invoke(luns, "add", new Object[] {"1 disk9"},
        new String[] {String.class.getName()})).isInstanceOf(MBeanException.class)
        .hasMessage("no device disk9")
        .cause().isExactlyInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> server.invoke(luns, "explode", null, null))
        .isInstanceOf(ReflectionException.class);
  }

  @Test
  void mbeansFollowTheTree() throws Exception {
    tree.sync();
    ObjectName luns = JmxTree.name(nodes.get(T + "/luns"));
    node("/devices", "devices", List.of(), List.of(), "disk0", "disk1");
    node("/devices/disk1", "device", List.of(), List.of());
    node(T, "target", List.of(), List.of());
    nodes.remove(T + "/luns");
    tree.sync();
    assertThat(server.isRegistered(new ObjectName("io.karst:type=device,name=disk1"))).isTrue();
    assertThat(server.isRegistered(luns)).isFalse();
    tree.unregisterAll();
    assertThat(server.queryNames(new ObjectName("io.karst:*"), null)).isEmpty();
  }
}
