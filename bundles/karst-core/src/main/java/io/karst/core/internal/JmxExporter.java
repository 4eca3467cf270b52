package io.karst.core.internal;

import io.karst.api.mgmt.Management;
import io.karst.api.mgmt.Management.Scope;
import io.karst.api.mgmt.Management.Stage;
import io.karst.api.mgmt.Management.StageLatency;
import io.karst.api.mgmt.Management.StatisticsInfo;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Exports the statistics over JMX, for jconsole and monitoring tools: {@code io.karst:type=Core}
 * with the latency switch and a reset operation, and one {@code io.karst:type=Device,name=...}
 * or {@code io.karst:type=Session,name=...} per device and open session with its counters and
 * latency by stage; and the management tree ({@link JmxTree}). Attributes are read live; the
 * set of MBeans follows devices, sessions and the tree within a second. Core exports to the platform MBean server, which is the one Karaf serves over
 * JMX remoting; Karaf's MBean server builder applies its JMX ACL (etc/jmx.acl.*.cfg) to all of them.
 */
final class JmxExporter {

  static final String DOMAIN = "io.karst";
  private static final System.Logger LOG = System.getLogger(JmxExporter.class.getName());

  private final MBeanServer server;
  private final Management management;
  private final Set<ObjectName> registered = new HashSet<>();
  private final JmxTree tree;
  private ScheduledExecutorService refresh;

  JmxExporter(MBeanServer server, Management management) {
    this.server = server;
    this.management = management;
    this.tree = new JmxTree(server, management);
  }

  void start() {
    sync();
    refresh = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "karst-jmx");
      t.setDaemon(true);
      return t;
    });
    refresh.scheduleWithFixedDelay(this::sync, 1, 1, TimeUnit.SECONDS);
  }

  void stop() {
    if (refresh != null) {
      refresh.shutdownNow();
    }
    unregisterAll();
  }

  /** Registers the MBeans of new devices and sessions and drops those of vanished ones. */
  synchronized void sync() {
    try {
      Set<ObjectName> wanted = new HashSet<>();
      ObjectName core = new ObjectName(DOMAIN + ":type=Core");
      wanted.add(core);
      register(core, new CoreBean());
      for (StatisticsInfo s : management.statistics()) {
        ObjectName name = name(s.scope(), s.name());
        wanted.add(name);
        register(name, new StatisticsBean(s.scope(), s.name()));
      }
      for (ObjectName gone : new ArrayList<>(registered)) {
        if (!wanted.contains(gone)) {
          unregister(gone);
        }
      }
      tree.sync();
    } catch (RuntimeException | JMException e) {
      LOG.log(Level.WARNING, "JMX export failed", e);
    }
  }

  synchronized void unregisterAll() {
    new ArrayList<>(registered).forEach(this::unregister);
    tree.unregisterAll();
  }

  static ObjectName name(Scope scope, String name) throws MalformedObjectNameException {
    String type = scope == Scope.DEVICE ? "Device" : "Session";
    return new ObjectName(DOMAIN + ":type=" + type + ",name=" + ObjectName.quote(name));
  }

  private void register(ObjectName name, DynamicMBean bean) throws JMException {
    if (registered.contains(name)) {
      return;
    }
    server.registerMBean(bean, name);
    registered.add(name);
  }

  private void unregister(ObjectName name) {
    registered.remove(name);
    unregister(server, name);
  }

  /** Unregisters an MBean that someone may have unregistered already. */
  static void unregister(MBeanServer server, ObjectName name) {
    try {
      server.unregisterMBean(name);
    } catch (JMException e) {
      LOG.log(Level.DEBUG, "MBean " + name + " was already gone", e);
    }
  }

  /** Read-only attributes computed from the current snapshot; a subclass may allow more. */
  abstract static class ReadOnlyBean implements DynamicMBean {

    @Override
    public AttributeList getAttributes(String[] names) {
      AttributeList list = new AttributeList();
      for (String n : names) {
        try {
          list.add(new Attribute(n, getAttribute(n)));
        } catch (JMException e) {
          // JMX leaves unknown names out of the list.
        }
      }
      return list;
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
      AttributeList set = new AttributeList();
      for (Attribute a : attributes.asList()) {
        try {
          setAttribute(a);
          set.add(a);
        } catch (JMException e) {
          // JMX leaves attributes that could not be set out of the list.
        }
      }
      return set;
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException,
        javax.management.InvalidAttributeValueException {
      throw new AttributeNotFoundException(attribute.getName() + " is not writable");
    }

    @Override
    public Object invoke(String action, Object[] params, String[] signature)
        throws javax.management.MBeanException, javax.management.ReflectionException {
      throw new javax.management.ReflectionException(
          new NoSuchMethodException(action), "no operation " + action);
    }
  }

  /** The counters and latency of one device or session. */
  private final class StatisticsBean extends ReadOnlyBean {

    private static final Map<String, ToLongFunction<StatisticsInfo>> COUNTERS = Map.of(
        "Commands", StatisticsInfo::commands,
        "ReadBytes", StatisticsInfo::readBytes,
        "WrittenBytes", StatisticsInfo::writtenBytes,
        "Errors", StatisticsInfo::errors);
    private static final Map<String, ToLongFunction<StageLatency>> LATENCY = Map.of(
        "Count", StageLatency::count,
        "MeanNanos", StageLatency::meanNanos,
        "P50Nanos", StageLatency::p50Nanos,
        "P99Nanos", StageLatency::p99Nanos,
        "MaxNanos", StageLatency::maxNanos);

    private final Scope scope;
    private final String name;

    StatisticsBean(Scope scope, String name) {
      this.scope = scope;
      this.name = name;
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
      StatisticsInfo s = management.statistics().stream()
          .filter(i -> i.scope() == scope && i.name().equals(name)).findFirst()
          .orElseThrow(() -> new AttributeNotFoundException(name + " is gone"));
      ToLongFunction<StatisticsInfo> counter = COUNTERS.get(attribute);
      if (counter != null) {
        return counter.applyAsLong(s);
      }
      for (Stage stage : Stage.values()) {
        String prefix = stageName(stage);
        ToLongFunction<StageLatency> f = attribute.startsWith(prefix)
            ? LATENCY.get(attribute.substring(prefix.length())) : null;
        if (f != null) {
          return s.latency().stream().filter(l -> l.stage() == stage).findFirst()
              .map(f::applyAsLong).orElse(0L);
        }
      }
      throw new AttributeNotFoundException(attribute);
    }

    @Override
    public MBeanInfo getMBeanInfo() {
      List<MBeanAttributeInfo> attributes = new ArrayList<>();
      for (String c : List.of("Commands", "ReadBytes", "WrittenBytes", "Errors")) {
        attributes.add(new MBeanAttributeInfo(c, "long", c + " since start or reset", true,
            false, false));
      }
      for (Stage stage : Stage.values()) {
        for (String l : List.of("Count", "MeanNanos", "P50Nanos", "P99Nanos", "MaxNanos")) {
          attributes.add(new MBeanAttributeInfo(stageName(stage) + l, "long",
              stage.name().toLowerCase(Locale.ROOT) + " stage latency: " + l
                  + " (while latency measurement is on)", true, false, false));
        }
      }
      return new MBeanInfo(StatisticsBean.class.getName(),
          (scope == Scope.DEVICE ? "Device " : "Session ") + name,
          attributes.toArray(MBeanAttributeInfo[]::new), null, null, null);
    }

    private static String stageName(Stage stage) {
      String n = stage.name().toLowerCase(Locale.ROOT);
      return Character.toUpperCase(n.charAt(0)) + n.substring(1);
    }
  }

  /** The latency switch, the reset, and how many devices and sessions there are. */
  private final class CoreBean extends ReadOnlyBean {

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
      switch (attribute) {
        case "LatencyMeasurement":
          return management.latencyMeasurement();
        case "Devices":
          return management.devices().size();
        case "Sessions":
          return management.sessions().size();
        default:
          throw new AttributeNotFoundException(attribute);
      }
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException,
        javax.management.InvalidAttributeValueException {
      if (!attribute.getName().equals("LatencyMeasurement")) {
        super.setAttribute(attribute);
      }
      management.latencyMeasurement(Boolean.TRUE.equals(attribute.getValue()));
    }

    @Override
    public Object invoke(String action, Object[] params, String[] signature)
        throws javax.management.MBeanException, javax.management.ReflectionException {
      if (!action.equals("resetStatistics")) {
        return super.invoke(action, params, signature);
      }
      management.resetStatistics();
      return null;
    }

    @Override
    public MBeanInfo getMBeanInfo() {
      MBeanAttributeInfo[] attributes = {
          new MBeanAttributeInfo("LatencyMeasurement", "boolean",
              "Whether commands are timed by stage (receive, queue, execute, transmit)", true,
              true, true),
          new MBeanAttributeInfo("Devices", "int", "Configured devices", true, false, false),
          new MBeanAttributeInfo("Sessions", "int", "Open sessions", true, false, false)};
      MBeanOperationInfo[] operations = {
          new MBeanOperationInfo("resetStatistics",
              "Sets every counter and latency histogram back to zero", null, "void",
              MBeanOperationInfo.ACTION)};
      return new MBeanInfo(CoreBean.class.getName(), "Karst core", attributes, null,
          operations, null);
    }
  }
}
