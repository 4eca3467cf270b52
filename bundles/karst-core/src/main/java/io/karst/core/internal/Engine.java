package io.karst.core.internal;

import io.karst.api.device.Backend;
import io.karst.api.device.BlockBackend;
import io.karst.api.device.CommandBackend;
import io.karst.api.device.DeviceConfig;
import io.karst.api.device.DeviceHandler;
import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;
import io.karst.api.mgmt.Management;
import io.karst.api.mgmt.Management.Scope;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseKey;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The engine: the configured devices and targets, the registered handlers and drivers, and the
 * sessions. Usable without OSGi: the DS component only forwards service events here.
 *
 * <p>Management operations (configure, a handler or driver coming or going) are serialized on
 * this object. The command path never takes its lock: sessions hold immutable LUN maps, devices
 * guard their backends themselves.
 *
 * <p>Opening devices and starting drivers may block (a file to create, a socket to bind), so
 * they run on one management thread, in the order they were asked for, and never on the thread
 * that registered the handler or driver (a DS bind call). Taking them away is the opposite:
 * {@link #removeHandler} and {@link #removeDriver} finish their work before they return, because
 * the handler's or driver's bundle stops right after. {@link #settle()} waits for the queued
 * work, for callers that need the result at once (tests, tools).
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
  /** The ALUA device groups of the configuration; their states change at run time. */
  private Alua.Model alua = new Alua.Model(List.of(), Map.of(), Map.of());
  private String source = "configuration";
  private final Map<String, Device> devices = new LinkedHashMap<>();
  private final Map<String, DeviceHandler> handlers = new LinkedHashMap<>();
  private final Map<String, TargetDriver> drivers = new LinkedHashMap<>();
  private final Map<String, DriverRuntime> running = new LinkedHashMap<>();
  /** Whether new tasks time their stages; read once per task, so switching needs no lock. */
  private final AtomicBoolean measureLatency = new AtomicBoolean();
  /** Where opens and starts run: one thread, so they keep the order they were asked in. */
  private final ExecutorService management = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "karst-management");
    t.setDaemon(true);
    return t;
  });
  private boolean closed;

  /** An engine with nothing configured; relative paths in attributes resolve against data. */
  public Engine(Path dataDirectory) {
    this.dataDirectory = dataDirectory;
  }

  /**
   * Reads and applies a configuration file (scst.conf syntax). A missing file leaves the engine
   * empty, with a warning in the log, as a server without a configuration starts.
   *
   * @throws ConfigException naming the file's line and the problem; nothing is applied then
   */
  public void load(Path file) throws ConfigException {
    if (!Files.exists(file)) {
      LOG.log(Level.WARNING, file + ": no such file; Karst runs with nothing configured");
      return;
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot be read: " + e.getMessage());
    }
    load(text, file.getFileName().toString());
  }

  /**
   * Parses and applies a configuration given as text; {@code sourceName} prefixes the line
   * numbers of errors and warnings ({@code karst.conf:12: ...}).
   */
  public void load(String text, String sourceName) throws ConfigException {
    ConfigParser parser = new ConfigParser(sourceName);
    Config c = parser.parse(text);
    parser.warnings().forEach(w -> LOG.log(Level.WARNING, w));
    configure(c, sourceName);
  }

  /**
   * Applies a parsed configuration, once: creates its devices and targets, then queues the
   * opening of the devices of registered handlers and the start of enabled registered drivers.
   */
  synchronized void configure(Config c, String sourceName) throws ConfigException {
    if (!devices.isEmpty() || !config.drivers().isEmpty()) {
      throw new IllegalStateException("already configured");
    }
    Map<String, Integer> ports = c.relativeTargetPortIds();
    Map<String, Device> created = new LinkedHashMap<>();
    for (var h : c.handlers()) {
      for (DeviceConf d : h.devices()) {
        created.put(d.name(), device(d, sourceName, Map.copyOf(ports)));
      }
    }
    config = c;
    alua = new Alua.Model(c.deviceGroups(), ports, created);
    source = sourceName;
    devices.putAll(created);
    handlers.values().forEach(this::openLater);
    drivers.values().forEach(this::startLater);
  }

  /**
   * Waits until the opens and starts queued so far have run, so that the caller sees their
   * outcome (device states, started drivers). Must not be called with this engine's lock held.
   */
  public void settle() throws InterruptedException {
    try {
      management.submit(() -> { }).get();
    } catch (RejectedExecutionException e) {
      // closed: nothing is queued any more
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Runs {@code work} on the management thread under this engine's lock, unless closed. */
  private void later(Runnable work) {
    try {
      management.execute(() -> {
        synchronized (this) {
          if (!closed) {
            work.run();
          }
        }
      });
    } catch (RejectedExecutionException e) {
      LOG.log(Level.DEBUG, "the engine is closed; nothing more is opened or started");
    }
  }

  /** Opens the handler's offline devices later, if it is still registered by then. */
  private void openLater(DeviceHandler handler) {
    later(() -> {
      if (handlers.get(handler.name()) == handler) {
        open(handler);
      }
    });
  }

  /** Starts the driver later, if it is still registered and not started by then. */
  private void startLater(TargetDriver driver) {
    later(() -> {
      if (drivers.get(driver.name()) == driver && !running.containsKey(driver.name())) {
        start(driver);
      }
    });
  }

  /**
   * A configured device, with its persistent reservations as they were saved; {@code ports}
   * gives each target its relative target port identifier ({@link
   * Config#relativeTargetPortIds}).
   */
  private Device device(DeviceConf d, String sourceName, Map<String, Integer> ports)
      throws ConfigException {
    Map<String, String> core = new LinkedHashMap<>();
    for (AttributeDescriptor a : DeviceIdentity.ATTRIBUTES) {
      Value v = d.attributes().get(a.name());
      try {
        if (v != null) {
          v.once(sourceName, a.name());
          core.put(a.name(), a.canonical(v.text()));
        } else if (a.defaultValue() != null) {
          core.put(a.name(), a.defaultValue());
        }
      } catch (IllegalArgumentException e) {
        throw new ConfigException(sourceName + ":" + v.line() + ": " + e.getMessage());
      }
    }
    try {
      return new Device(d, Map.copyOf(core), DeviceIdentity.of(d.name(), core),
          new PrState(d.name(), new PrStore(dataDirectory, d.name()), ports));
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
    openLater(handler);
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

  /** Opens the handler's devices that are not online (all of them, unless a retry). */
  private void open(DeviceHandler handler) {
    for (Device d : devicesOf(handler.name())) {
      if (d.backend() != null) {
        continue;
      }
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
    // The handler gets the attributes it describes, core's among them when it describes them
    // too (read_only: a handler may open its storage read-only); core's others are not its.
    Set<String> described = handler.deviceAttributes().stream().map(AttributeDescriptor::name)
        .collect(Collectors.toSet());
    Set<String> coreOnly = DeviceIdentity.ATTRIBUTES.stream().map(AttributeDescriptor::name)
        .filter(n -> !described.contains(n)).collect(Collectors.toSet());
    Map<String, String> checked;
    try {
      checked = checked(d.conf.attributes(), handler.deviceAttributes(),
          "DEVICE " + d.name + " of handler " + handler.name(), d.conf.line(), coreOnly);
    } catch (ConfigException e) {
      return e.getMessage();
    }
    ExecutorService io = Executors.newFixedThreadPool(d.identity.threads(), threads(d.name));
    try {
      Backend backend = handler.open(new OpenConfig(d, checked, dataDirectory, io));
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
  private record OpenConfig(Device device, Map<String, String> attributes, Path dataDirectory,
      Executor ioExecutor) implements DeviceConfig {
    @Override
    public String name() {
      return device.name;
    }

    @Override
    public boolean mediumRemovalPrevented() {
      return device.medium.prevented();
    }

    @Override
    public void unitAttention(int asc, int ascq) {
      if (asc < 0 || asc > 0xFF || ascq < 0 || ascq > 0xFF) {
        throw new IllegalArgumentException("ASC " + asc + ", ASCQ " + ascq + " are not bytes");
      }
      UnitAttention.raise(device, new Sense(SenseKey.UNIT_ATTENTION, asc, ascq), null);
    }
  }

  public synchronized void addDriver(TargetDriver driver) {
    TargetDriver before = drivers.putIfAbsent(driver.name(), driver);
    if (before != null) {
      LOG.log(Level.WARNING, "a second target driver named " + driver.name()
          + " registered; ignored while the first is there");
      return;
    }
    LOG.log(Level.INFO, "target driver " + driver.name() + " registered");
    startLater(driver);
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
    if (conf == null || !conf.enabled()) {
      return;
    }
    try {
      Map<String, String> attributes = checked(conf.attributes(),
          withEnabled(driver.attributes()), "TARGET_DRIVER " + conf.name(), conf.line(),
          Set.of());
      Map<String, CoreTarget> targets = new LinkedHashMap<>();
      Map<String, Integer> relativeIds = config.relativeTargetPortIds();
      for (TargetConf t : conf.targets()) {
        Map<String, String> ta = new LinkedHashMap<>(checked(t.attributes(),
            withEnabled(driver.targetAttributes()), "TARGET " + t.name(), t.line(),
            Set.of(Config.REL_TGT_ID)));
        ta.put(Config.REL_TGT_ID, String.valueOf(relativeIds.get(t.name())));
        List<CoreTarget.Group> groups = new ArrayList<>();
        for (GroupConf g : t.groups()) {
          groups.add(new CoreTarget.Group(g.name(),
              g.initiators().stream().map(CoreTarget::pattern).toList(),
              luns(t.name(), g.luns())));
        }
        targets.put(t.name(), new CoreTarget(driver.name(), t.name(), t.enabled(),
            Map.copyOf(ta), luns(t.name(), t.luns()), List.copyOf(groups)));
      }
      DriverRuntime r = new DriverRuntime(driver, attributes, targets, measureLatency);
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

  private NavigableMap<Long, Lun> luns(String target, List<LunConf> luns) {
    TreeMap<Long, Lun> map = new TreeMap<>();
    for (LunConf l : luns) {
      map.put(l.lun(), new Lun(l.lun(), devices.get(l.device()), l.readOnly(),
          alua.access(l.device(), target)));
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
        if (a.multiValued()) {
          List<String> values = new ArrayList<>();
          for (Value v : e.getValue().all()) {
            line = v.line();
            values.add(a.canonical(v.text()));
          }
          out.put(a.name(), AttributeDescriptor.join(values));
        } else {
          out.put(a.name(), a.canonical(e.getValue().once(source, a.name()).text()));
        }
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

  /** Stops every driver, closes every device and ends the management thread. */
  @Override
  public synchronized void close() {
    closed = true;
    management.shutdown();
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
      TargetDriver driver = drivers.get(n);
      Map<String, String> attributes = listed(r != null ? r.attributes()
          : conf != null ? written(conf.attributes()) : Map.of(),
          driver == null ? null : withEnabled(driver.attributes()));
      return new DriverInfo(n, drivers.containsKey(n), conf != null && conf.enabled(),
          r != null, attributes);
    }).toList();
  }

  /** Written attributes as one text per name, the values of a repeated one joined. */
  private static Map<String, String> written(Map<String, Value> attributes) {
    Map<String, String> out = new LinkedHashMap<>();
    attributes.forEach((k, v) -> out.put(k,
        AttributeDescriptor.join(v.all().stream().map(Value::text).toList())));
    return out;
  }

  /**
   * Attributes as listings show them, secrets redacted. Without the owner's descriptors (a
   * driver that is not registered) core cannot tell a secret from a portal, so every value is
   * redacted until the owner registers.
   */
  private static Map<String, String> listed(Map<String, String> attributes,
      List<AttributeDescriptor> descriptors) {
    Map<String, AttributeDescriptor> described = new LinkedHashMap<>();
    if (descriptors != null) {
      descriptors.forEach(a -> described.put(a.name(), a));
    }
    Map<String, String> out = new LinkedHashMap<>();
    attributes.forEach((k, v) -> {
      AttributeDescriptor a = described.get(k);
      out.put(k, descriptors == null ? AttributeDescriptor.REDACTED
          : a == null ? v : a.redacted(v));
    });
    return java.util.Collections.unmodifiableMap(out);
  }

  @Override
  public synchronized List<TargetInfo> targets() {
    List<TargetInfo> out = new ArrayList<>();
    for (DriverConf d : config.drivers()) {
      DriverRuntime r = running.get(d.name());
      for (TargetConf t : d.targets()) {
        CoreTarget live = r == null ? null : r.targetMap().get(t.name());
        TargetDriver driver = drivers.get(d.name());
        Map<String, String> attributes = listed(
            live != null ? live.attributes() : written(t.attributes()),
            driver == null ? null : withEnabled(driver.targetAttributes()));
        List<LunInfo> luns = t.luns().stream()
            .map(l -> new LunInfo(l.lun(), l.device(), l.readOnly())).toList();
        out.add(new TargetInfo(d.name(), t.name(), t.enabled(), attributes, luns));
      }
    }
    return out;
  }

  @Override
  public synchronized List<SessionInfo> sessions() {
    return running.values().stream().map(r -> r.sessions).flatMap(Collection::stream)
        .map(s -> new SessionInfo(s.driver(), s.target().name(), s.initiator(),
            s.statistics.commands()))
        .toList();
  }

  @Override
  public synchronized List<DeviceGroupInfo> deviceGroups() {
    return alua.groups().stream().map(d -> new DeviceGroupInfo(d.name(), d.devices(),
        d.groups().stream().map(g -> new TargetGroupInfo(g.name, g.id, g.state().scstName,
            g.preferred, g.ports.stream()
                .map(p -> new TargetPortInfo(p.target(), p.relativeId())).toList()))
            .toList())).toList();
  }

  @Override
  public synchronized void targetGroupState(String deviceGroup, String targetGroup,
      String state) {
    Alua.DeviceGroup d = alua.groups().stream().filter(g -> g.name().equals(deviceGroup))
        .findFirst().orElseThrow(() -> new IllegalArgumentException(
            "no device group " + deviceGroup));
    Alua.PortGroup g = d.groups().stream().filter(p -> p.name.equals(targetGroup)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "no target group " + targetGroup + " in device group " + deviceGroup));
    Alua.State to = Alua.State.named(state).orElseThrow(() -> new IllegalArgumentException(
        "state " + state + " is not one of " + Alua.State.names()));
    if (g.transition(to, Alua.ALTERED_IMPLICITLY)) {
      Alua.changed(d, null);
    }
    LOG.log(Level.INFO, "ALUA: target group " + targetGroup + " of device group " + deviceGroup
        + " is now " + to.scstName);
  }

  @Override
  public synchronized List<StatisticsInfo> statistics() {
    List<StatisticsInfo> out = new ArrayList<>();
    devices.values().forEach(d -> out.add(d.statistics.snapshot(Scope.DEVICE, d.name)));
    running.values().stream().flatMap(r -> r.sessions.stream())
        .forEach(s -> out.add(s.statistics.snapshot(Scope.SESSION, s.describe())));
    return out;
  }

  @Override
  public boolean latencyMeasurement() {
    return measureLatency.get();
  }

  @Override
  public void latencyMeasurement(boolean on) {
    if (measureLatency.getAndSet(on) != on) {
      LOG.log(Level.INFO, "latency measurement " + (on ? "on" : "off"));
    }
  }

  @Override
  public synchronized void resetStatistics() {
    devices.values().forEach(d -> d.statistics.reset());
    running.values().stream().flatMap(r -> r.sessions.stream())
        .forEach(s -> s.statistics.reset());
  }

  // The management tree is being built; these are replaced by its implementation before release.
  @Override
  public ObjectInfo object(String path) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public void set(String path, String attribute, String value) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public String execute(String path, String command) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public ApplyReport apply(String text, String sourceName, boolean force, boolean dryRun) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public String write(boolean allAttributes) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public List<String> check(String text, String sourceName) {
    throw new UnsupportedOperationException("not yet");
  }
}
