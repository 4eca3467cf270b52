package io.karst.core.internal;

import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;
import io.karst.api.mgmt.Management;
import io.karst.api.mgmt.Management.AttributeInfo;
import io.karst.api.mgmt.Management.CommandInfo;
import io.karst.api.mgmt.Management.ObjectInfo;
import io.karst.api.mgmt.ManagementException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.management.Attribute;
import javax.management.AttributeNotFoundException;
import javax.management.InvalidAttributeValueException;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanException;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.ReflectionException;

/**
 * The management tree over JMX: one dynamic MBean per node, {@code io.karst:type=KIND,name=NAME}
 * (a device is {@code io.karst:type=device,name=disk0}, a LUN
 * {@code io.karst:type=lun,name="iscsi/iqn...:default/luns/0"}), built from the node's
 * description at each call, so that jconsole and monitoring tools see every driver's and
 * handler's attributes without knowing them. Attributes are typed (boolean, long, String, and
 * String[] for a multi-valued one), writable where the tree allows, and set through
 * {@link Management#set}; each management command of the node is an operation that takes the
 * rest of the command line ({@code add_device("disk1 filename=/srv/d1.img; size=1G")}) and
 * runs it through {@link Management#execute}. A refused change is an
 * {@link InvalidAttributeValueException} or an {@link MBeanException} carrying the tree's
 * message in a plain exception, which any JMX client can read. Karaf's JMX ACL guards reads,
 * writes and operations (etc/jmx.acl.io.karst.cfg).
 *
 * <p>A device appears once, under {@code /devices}; its handler's listing of it is not a
 * second MBean. The set of MBeans follows the tree at each {@link #sync}.
 */
final class JmxTree {

  private static final System.Logger LOG = System.getLogger(JmxTree.class.getName());

  private final MBeanServer server;
  private final Management management;
  private final Map<ObjectName, String> registered = new HashMap<>();

  JmxTree(MBeanServer server, Management management) {
    this.server = server;
    this.management = management;
  }

  /**
   * The name of a node's MBean: its kind, and its path without the top level's name
   * ({@code /devices/disk0} is {@code disk0}); a top-level node is named by itself.
   */
  static ObjectName name(ObjectInfo node) throws MalformedObjectNameException {
    String path = node.path().substring(1);
    int slash = path.indexOf('/');
    String name = slash < 0 ? path : path.substring(slash + 1);
    return new ObjectName(JmxExporter.DOMAIN + ":type=" + node.kind() + ",name="
        + (name.matches("[\\w.-]+") ? name : ObjectName.quote(name)));
  }

  /** Registers the MBeans of new nodes and drops those of nodes that are gone. */
  synchronized void sync() {
    Map<ObjectName, String> wanted = new HashMap<>();
    walk("/", wanted);
    for (var gone : new ArrayList<>(registered.entrySet())) {
      if (!gone.getValue().equals(wanted.get(gone.getKey()))) {
        unregister(gone.getKey());
      }
    }
    for (var node : wanted.entrySet()) {
      if (!registered.containsKey(node.getKey())) {
        try {
          server.registerMBean(new NodeBean(node.getValue()), node.getKey());
          registered.put(node.getKey(), node.getValue());
        } catch (JMException e) {
          LOG.log(Level.WARNING, "cannot export " + node.getValue() + " as " + node.getKey(), e);
        }
      }
    }
  }

  private void walk(String path, Map<ObjectName, String> wanted) {
    ObjectInfo node;
    try {
      node = management.object(path);
    } catch (ManagementException e) {
      return; // gone while the tree was walked; the next sync sees the rest
    }
    if (!path.equals("/")) {
      try {
        wanted.putIfAbsent(name(node), path);
      } catch (MalformedObjectNameException e) {
        LOG.log(Level.WARNING, "no MBean name for " + path, e);
      }
    }
    if (path.startsWith("/handlers/")) {
      return; // a handler's devices are exported under /devices
    }
    for (String child : node.children()) {
      walk((path.equals("/") ? "" : path) + "/" + child, wanted);
    }
  }

  synchronized void unregisterAll() {
    new ArrayList<>(registered.keySet()).forEach(this::unregister);
  }

  private void unregister(ObjectName name) {
    registered.remove(name);
    JmxExporter.unregister(server, name);
  }

  /** The JMX type of an attribute's value. */
  static String type(AttributeInfo a) {
    if (a.multiValued()) {
      return String[].class.getName();
    }
    return switch (a.type()) {
      case BOOLEAN -> "boolean";
      case INTEGER, SIZE -> "long";
      case STRING, PATH -> String.class.getName();
    };
  }

  /** A canonical value as its JMX type; null when the attribute has no value. */
  static Object value(AttributeInfo a) {
    String v = a.value();
    if (v == null) {
      return null;
    }
    if (a.multiValued()) {
      return AttributeDescriptor.values(v).toArray(String[]::new);
    }
    return switch (a.type()) {
      case BOOLEAN -> v.equals("1");
      case INTEGER, SIZE -> Long.parseLong(v);
      case STRING, PATH -> v;
    };
  }

  /** A value from a JMX client as the tree takes it: booleans as 0 or 1, values by line. */
  static String text(AttributeInfo a, Object value) throws InvalidAttributeValueException {
    if (value == null) {
      throw new InvalidAttributeValueException(a.name() + ": a value is required");
    }
    if (value instanceof String[] values) {
      return AttributeDescriptor.join(List.of(values));
    }
    if (value instanceof Boolean b) {
      return b ? "1" : "0";
    }
    return value.toString();
  }

  /** One node of the tree, looked up by path at each call. */
  private final class NodeBean extends JmxExporter.ReadOnlyBean {

    private final String path;

    NodeBean(String path) {
      this.path = path;
    }

    private ObjectInfo node() throws AttributeNotFoundException {
      try {
        return management.object(path);
      } catch (ManagementException e) {
        throw new AttributeNotFoundException(e.getMessage());
      }
    }

    private AttributeInfo attribute(String name) throws AttributeNotFoundException {
      return node().attributes().stream().filter(a -> a.name().equals(name)).findFirst()
          .orElseThrow(() -> new AttributeNotFoundException(path + " has no attribute " + name));
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
      AttributeInfo a = attribute(attribute);
      try {
        return value(a);
      } catch (NumberFormatException e) {
        throw new AttributeNotFoundException(path + " " + attribute + ": " + a.value()
            + " is not a number");
      }
    }

    @Override
    public void setAttribute(Attribute attribute)
        throws AttributeNotFoundException, InvalidAttributeValueException {
      AttributeInfo a = attribute(attribute.getName());
      try {
        management.set(path, a.name(), text(a, attribute.getValue()));
      } catch (ManagementException e) {
        throw new InvalidAttributeValueException(e.getMessage());
      }
    }

    @Override
    public Object invoke(String action, Object[] params, String[] signature)
        throws MBeanException, ReflectionException {
      CommandInfo command;
      try {
        command = node().commands().stream().filter(c -> c.name().equals(action)).findFirst()
            .orElse(null);
      } catch (AttributeNotFoundException e) {
        throw new MBeanException(new IllegalStateException(e.getMessage()), e.getMessage());
      }
      if (command == null) {
        throw new ReflectionException(new NoSuchMethodException(action),
            path + " has no command " + action);
      }
      String arguments = params == null || params.length == 0 || params[0] == null ? ""
          : params[0].toString().trim();
      try {
        return management.execute(path, arguments.isEmpty() ? action : action + " " + arguments);
      } catch (ManagementException e) {
        // A plain exception: a remote client has no Karst classes to deserialize.
        throw new MBeanException(new IllegalArgumentException(e.getMessage()), e.getMessage());
      }
    }

    @Override
    public MBeanInfo getMBeanInfo() {
      ObjectInfo node;
      try {
        node = node();
      } catch (AttributeNotFoundException e) {
        return new MBeanInfo(NodeBean.class.getName(), path + " (gone)", null, null, null, null);
      }
      MBeanAttributeInfo[] attributes = node.attributes().stream()
          .map(a -> new MBeanAttributeInfo(a.name(), type(a), description(a), true,
              a.writable(), a.type() == AttributeType.BOOLEAN && !a.multiValued()))
          .toArray(MBeanAttributeInfo[]::new);
      MBeanOperationInfo[] operations = node.commands().stream()
          .map(c -> new MBeanOperationInfo(c.name(), c.description() + ": " + c.usage(),
              takesArguments(c) ? new MBeanParameterInfo[] {new MBeanParameterInfo("arguments",
                  String.class.getName(), "What follows " + c.name() + " in: " + c.usage())}
                  : new MBeanParameterInfo[0],
              String.class.getName(), MBeanOperationInfo.ACTION))
          .toArray(MBeanOperationInfo[]::new);
      return new MBeanInfo(NodeBean.class.getName(), node.kind() + " " + path, attributes, null,
          operations, null);
    }

    private static boolean takesArguments(CommandInfo c) {
      return !c.usage().trim().equals(c.name());
    }

    private static String description(AttributeInfo a) {
      StringBuilder d = new StringBuilder(a.description() == null ? a.name() : a.description());
      if (a.defaultValue() != null) {
        d.append(" (default ").append(a.defaultValue()).append(')');
      }
      if (a.key()) {
        d.append(" [key]");
      }
      if (!a.writable() && a.createParameter()) {
        d.append(" (set when created)");
      }
      return d.toString();
    }
  }
}
