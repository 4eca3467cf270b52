package io.karst.core.internal;

import io.karst.api.device.Backend;
import io.karst.api.device.BlockBackend;
import io.karst.api.device.CommandBackend;
import io.karst.api.device.DeviceConfig;
import io.karst.api.device.DeviceHandler;
import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;
import io.karst.api.mgmt.Management;
import io.karst.api.target.TargetDriver;
import io.karst.core.internal.Config.DeviceConf;
import io.karst.core.internal.Config.DriverConf;
import io.karst.core.internal.Config.GroupConf;
import io.karst.core.internal.Config.LunConf;
import io.karst.core.internal.Config.TargetConf;
import io.karst.core.internal.Config.Value;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The engine: the configured devices and targets, the registered handlers and drivers, and the
 * sessions. Usable without OSGi: the DS component only forwards service events here.
 *
 * <p>Management operations (configure, a handler or driver coming or going) are serialized on
 * this object. The command path never takes its lock: sessions hold immutable LUN maps, devices
 * guard their backends themselves.
 */
public final class Engine implements Management, AutoCloseable {

  private static final System.Logger LOG = System.getLogger(Engine.class.getName());
  /** How long a leaving handler's devices wait for the commands already at their backends. */
  private static final long DRAIN_MILLIS = 10_000;
  private static final AttributeDescriptor ENABLED =
      AttributeDescriptor.builder("enabled", AttributeType.BOOLEAN).defaultValue("0").writable()
          .description("Whether the driver serves, or the target admits initiators").build();

  private final Path dataDirectory;
  private Config config = Config.EMPTY;
  private String source = "configuration";
  private final Map<String, Device> devices = new LinkedHashMap<>();
  private final Map<String, DeviceHandler> handlers = new LinkedHashMap<>();
  private final Map<String, TargetDriver> drivers = new LinkedHashMap<>();
  private final Map<String, DriverRuntime> running = new LinkedHashMap<>();
  private boolean closed;

  public Engine(Path dataDirectory) {
    this.dataDirectory = dataDirectory;
  }

  /** Reads a configuration file; a missing file is an empty configuration. */
  static Config read(Path file, List<String> warnings) throws ConfigException {
    if (!Files.exists(file)) {
      warnings.add(file + ": no such file; starting with nothing configured");
      return Config.EMPTY;
    }
    try {
      ConfigParser parser = new ConfigParser(file.getFileName().toString());
      Config c = parser.parse(Files.readString(file));
      warnings.addAll(parser.warnings());
      return c;
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot be read: " + e.getMessage());
    }
  }

  /**
   * Applies the configuration read at start: creates its devices and targets, opens the
   * devices of registered handlers and starts the enabled registered drivers.
   */
  public synchronized void configure(Config c, String sourceName) throws ConfigException {
    if (!devices.isEmpty() || !config.drivers().isEmpty()) {
      throw new IllegalStateException("already configured");
    }
    Map<String, Device> created = new LinkedHashMap<>();
    for (var h : c.handlers()) {
      for (DeviceConf d : h.devices()) {
        created.put(d.name(), device(d, sourceName));
      }
    }
    config = c;
    source = sourceName;
    devices.putAll(created);
    for (DeviceHandler h : handlers.values()) {
      open(h);
    }
    for (TargetDriver d : drivers.values()) {
      start(d);
    }
  }

  private Device device(DeviceConf d, String sourceName) throws ConfigException {
    Map<String, String> core = new LinkedHashMap<>();
    for (AttributeDescriptor a : DeviceIdentity.ATTRIBUTES) {
      Value v = d.attributes().get(a.name());
      try {
        if (v != null) {
          core.put(a.name(), a.canonical(v.text()));
        } else if (a.defaultValue() != null) {
          core.put(a.name(), a.defaultValue());
        }
      } catch (IllegalArgumentException e) {
        throw new ConfigException(sourceName + ":" + v.line() + ": " + e.getMessage());
      }
    }
    try {
      return new Device(d, Map.copyOf(core), DeviceIdentity.of(d.name(), core));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(sourceName + ":" + d.line() + ": DEVICE " + d.name() + ": "
          + e.getMessage());
    }
  }

  public synchronized void addHandler(DeviceHandler handler) {
    DeviceHandler before = handlers.putIfAbsent(handler.name(), handler);
    if (before != null) {
      LOG.log(Level.WARNING, "a second device handler named " + handler.name()
          + " registered; ignored while the first is there");
      return;
    }
    LOG.log(Level.INFO, "device handler " + handler.name() + " registered");
    open(handler);
  }

  /**
   * The handler is leaving: its devices go offline at once (new commands get NOT READY), the
   * commands at their backends finish, and the backends close. Sessions are not touched.
   */
  public synchronized void removeHandler(DeviceHandler handler) {
    if (!handlers.remove(handler.name(), handler)) {
      return;
    }
    LOG.log(Level.INFO, "device handler " + handler.name() + " unregistered; its devices go "
        + "offline");
    for (Device d : devicesOf(handler.name())) {
      try {
        d.detach("handler " + handler.name() + " is not registered", DRAIN_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "device " + d.name + " failed to close", e);
      }
    }
  }

  private List<Device> devicesOf(String handler) {
    return devices.values().stream().filter(d -> d.handler.equals(handler)).toList();
  }

  private void open(DeviceHandler handler) {
    for (Device d : devicesOf(handler.name())) {
      String failure = openDevice(d, handler);
      if (failure != null) {
        d.failed(failure);
        LOG.log(Level.WARNING, "device " + d.name + " stays offline: " + failure);
      } else {
        LOG.log(Level.INFO, "device " + d.name + " online");
      }
    }
  }

  /** Opens one device; returns why it could not, or null. */
  private String openDevice(Device d, DeviceHandler handler) {
    Map<String, String> checked;
    try {
      checked = checked(d.conf.attributes(), handler.deviceAttributes(),
          "DEVICE " + d.name + " of handler " + handler.name(), d.conf.line(),
          d.coreAttributes.keySet());
    } catch (ConfigException e) {
      return e.getMessage();
    }
    ExecutorService io = Executors.newFixedThreadPool(d.identity.threads(), threads(d.name));
    try {
      Backend backend = handler.open(new OpenConfig(d.name, checked, dataDirectory, io));
      String wrong = check(backend);
      if (wrong != null) {
        closeQuietly(backend);
        io.shutdown();
        return wrong;
      }
      d.attach(backend, checked, io);
      return null;
    } catch (Exception e) {
      io.shutdown();
      return e.getMessage() == null ? e.toString() : e.getMessage();
    }
  }

  private static String check(Backend backend) {
    if (backend instanceof BlockBackend b) {
      int size = b.blockSize();
      if (size < 512 || size > 4096 || Integer.bitCount(size) != 1) {
        return "block size " + size + " is not 512, 1024, 2048 or 4096";
      }
      if (b.blockCount() < 1) {
        return "the device has no blocks";
      }
      return null;
    }
    return backend instanceof CommandBackend ? null
        : "the handler returned neither a block nor a command backend";
  }

  private static void closeQuietly(Backend backend) {
    try {
      backend.close();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "closing a refused backend failed", e);
    }
  }

  private static java.util.concurrent.ThreadFactory threads(String device) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "karst-" + device + "-io-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** What a handler gets to open a device. */
  private record OpenConfig(String name, Map<String, String> attributes, Path dataDirectory,
      Executor ioExecutor) implements DeviceConfig {}

  public synchronized void addDriver(TargetDriver driver) {
    TargetDriver before = drivers.putIfAbsent(driver.name(), driver);
    if (before != null) {
      LOG.log(Level.WARNING, "a second target driver named " + driver.name()
          + " registered; ignored while the first is there");
      return;
    }
    LOG.log(Level.INFO, "target driver " + driver.name() + " registered");
    start(driver);
  }

  public synchronized void removeDriver(TargetDriver driver) {
    if (!drivers.remove(driver.name(), driver)) {
      return;
    }
    DriverRuntime r = running.remove(driver.name());
    if (r != null) {
      stop(r);
    }
    LOG.log(Level.INFO, "target driver " + driver.name() + " unregistered");
  }

  private void stop(DriverRuntime r) {
    try {
      r.stop();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "target driver " + r.driver.name() + " failed to stop cleanly", e);
    }
  }

  private DriverConf driverConf(String name) {
    return config.drivers().stream().filter(d -> d.name().equals(name)).findFirst().orElse(null);
  }

  private void start(TargetDriver driver) {
    DriverConf conf = driverConf(driver.name());
    if (closed || conf == null || !conf.enabled()) {
      return;
    }
    try {
      Map<String, String> attributes = checked(conf.attributes(),
          withEnabled(driver.attributes()), "TARGET_DRIVER " + conf.name(), conf.line(),
          Set.of());
      Map<String, CoreTarget> targets = new LinkedHashMap<>();
      for (TargetConf t : conf.targets()) {
        Map<String, String> ta = checked(t.attributes(),
            withEnabled(driver.targetAttributes()), "TARGET " + t.name(), t.line(), Set.of());
        List<CoreTarget.Group> groups = new ArrayList<>();
        for (GroupConf g : t.groups()) {
          groups.add(new CoreTarget.Group(g.name(),
              g.initiators().stream().map(CoreTarget::pattern).toList(), luns(g.luns())));
        }
        targets.put(t.name(), new CoreTarget(driver.name(), t.name(), t.enabled(), ta,
            luns(t.luns()), List.copyOf(groups)));
      }
      DriverRuntime r = new DriverRuntime(driver, attributes, targets);
      driver.start(r);
      running.put(driver.name(), r);
      LOG.log(Level.INFO, "target driver " + driver.name() + " started with "
          + targets.size() + " target(s)");
    } catch (ConfigException e) {
      LOG.log(Level.ERROR, "target driver " + driver.name() + " not started: "
          + e.getMessage());
    } catch (Exception e) {
      LOG.log(Level.ERROR, "target driver " + driver.name() + " failed to start", e);
    }
  }

  private NavigableMap<Long, Lun> luns(List<LunConf> luns) {
    TreeMap<Long, Lun> map = new TreeMap<>();
    for (LunConf l : luns) {
      map.put(l.lun(), new Lun(l.lun(), devices.get(l.device()), l.readOnly()));
    }
    return java.util.Collections.unmodifiableNavigableMap(map);
  }

  /**
   * Checks written attributes against their descriptors: an unknown name or a bad value is an
   * error naming its line, a missing attribute takes its default, a missing required one is an
   * error naming {@code where}. Names in {@code others} belong to core and are skipped.
   */
  private Map<String, String> checked(Map<String, Value> written,
      List<AttributeDescriptor> descriptors, String where, int line, Set<String> others)
      throws ConfigException {
    Map<String, AttributeDescriptor> described = new LinkedHashMap<>();
    for (AttributeDescriptor a : descriptors) {
      described.put(a.name(), a);
    }
    Map<String, String> out = new LinkedHashMap<>();
    try {
      for (var e : written.entrySet()) {
        if (others.contains(e.getKey())) {
          continue;
        }
        AttributeDescriptor a = described.get(e.getKey());
        if (a == null) {
          throw new ConfigException(source + ":" + e.getValue().line() + ": " + where
              + " has no attribute " + e.getKey() + " (it has "
              + String.join(", ", described.keySet()) + ")");
        }
        line = e.getValue().line();
        out.put(a.name(), a.canonical(e.getValue().text()));
      }
      for (AttributeDescriptor a : described.values()) {
        if (!out.containsKey(a.name())) {
          if (a.defaultValue() != null) {
            line = -1;
            out.put(a.name(), a.canonical(a.defaultValue()));
          } else if (a.required()) {
            throw new ConfigException(source + ":" + line + ": " + where + " needs attribute "
                + a.name());
          }
        }
      }
    } catch (IllegalArgumentException ex) {
      throw new ConfigException((line < 0 ? where + ": the default of " : source + ":" + line
          + ": ") + ex.getMessage());
    }
    return Map.copyOf(out);
  }

  private static List<AttributeDescriptor> withEnabled(List<AttributeDescriptor> descriptors) {
    return Stream.concat(Stream.of(ENABLED), descriptors.stream()).toList();
  }

  /** Stops every driver and closes every device. */
  @Override
  public synchronized void close() {
    closed = true;
    for (DriverRuntime r : List.copyOf(running.values())) {
      stop(r);
    }
    running.clear();
    for (Device d : devices.values()) {
      try {
        d.detach("Karst is stopping", DRAIN_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  // Management: snapshots, taken under the lock so that each is consistent.

  @Override
  public synchronized List<HandlerInfo> handlers() {
    Set<String> names = new LinkedHashSet<>();
    config.handlers().forEach(h -> names.add(h.name()));
    names.addAll(handlers.keySet());
    return names.stream().map(n -> {
      DeviceHandler h = handlers.get(n);
      List<AttributeDescriptor> attributes = h == null ? DeviceIdentity.ATTRIBUTES
          : Stream.concat(DeviceIdentity.ATTRIBUTES.stream(), h.deviceAttributes().stream())
              .toList();
      return new HandlerInfo(n, h != null, attributes);
    }).toList();
  }

  @Override
  public synchronized List<DeviceInfo> devices() {
    return devices.values().stream().map(d -> {
      Map<String, String> attributes = new LinkedHashMap<>(d.coreAttributes);
      d.conf.attributes().forEach((k, v) -> attributes.putIfAbsent(k, v.text()));
      attributes.putAll(d.handlerAttributes());
      Backend b = d.backend();
      long blocks = b instanceof BlockBackend bb ? bb.blockCount() : 0;
      int size = b instanceof BlockBackend bb ? bb.blockSize() : 0;
      return new DeviceInfo(d.name, d.handler, d.state(), d.detail(), blocks, size,
          Map.copyOf(attributes));
    }).toList();
  }

  @Override
  public synchronized List<DriverInfo> drivers() {
    Set<String> names = new LinkedHashSet<>();
    config.drivers().forEach(d -> names.add(d.name()));
    names.addAll(drivers.keySet());
    return names.stream().map(n -> {
      DriverConf conf = driverConf(n);
      DriverRuntime r = running.get(n);
      Map<String, String> attributes = new LinkedHashMap<>();
      if (r != null) {
        attributes.putAll(r.attributes());
      } else if (conf != null) {
        conf.attributes().forEach((k, v) -> attributes.put(k, v.text()));
      }
      return new DriverInfo(n, drivers.containsKey(n), conf != null && conf.enabled(),
          r != null, Map.copyOf(attributes));
    }).toList();
  }

  @Override
  public synchronized List<TargetInfo> targets() {
    List<TargetInfo> out = new ArrayList<>();
    for (DriverConf d : config.drivers()) {
      DriverRuntime r = running.get(d.name());
      for (TargetConf t : d.targets()) {
        Map<String, String> attributes = new LinkedHashMap<>();
        CoreTarget live = r == null ? null : r.targetMap().get(t.name());
        if (live != null) {
          attributes.putAll(live.attributes());
        } else {
          t.attributes().forEach((k, v) -> attributes.put(k, v.text()));
        }
        List<LunInfo> luns = t.luns().stream()
            .map(l -> new LunInfo(l.lun(), l.device(), l.readOnly())).toList();
        out.add(new TargetInfo(d.name(), t.name(), t.enabled(), Map.copyOf(attributes), luns));
      }
    }
    return out;
  }

  @Override
  public synchronized List<SessionInfo> sessions() {
    return running.values().stream().map(r -> r.sessions).flatMap(Collection::stream)
        .map(s -> new SessionInfo(s.driver(), s.target().name(), s.initiator(), s.commands()))
        .toList();
  }
}
