package io.karst.core.internal;

import static io.karst.core.internal.ConfigDiff.aluaShape;
import static io.karst.core.internal.ConfigDiff.groupDiff;
import static io.karst.core.internal.ConfigDiff.keepMissing;
import static io.karst.core.internal.ConfigDiff.lunDiff;
import static io.karst.core.internal.ConfigDiff.texts;
import static io.karst.core.internal.ConfigDiff.without;

import io.karst.api.device.Backend;
import io.karst.api.device.BlockBackend;
import io.karst.api.device.CommandBackend;
import io.karst.api.device.DeviceConfig;
import io.karst.api.device.DeviceException;
import io.karst.api.device.DeviceHandler;
import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;
import io.karst.api.mgmt.Management;
import io.karst.api.mgmt.Management.Scope;
import io.karst.api.mgmt.ManagementException;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseKey;
import io.karst.api.target.TargetDriver;
import io.karst.core.internal.Config.DeviceConf;
import io.karst.core.internal.Config.DeviceGroupConf;
import io.karst.core.internal.Config.DriverConf;
import io.karst.core.internal.Config.GroupConf;
import io.karst.core.internal.Config.LunConf;
import io.karst.core.internal.Config.TargetConf;
import io.karst.core.internal.Config.TargetGroupConf;
import io.karst.core.internal.Config.Value;
import io.karst.core.internal.ConfigDiff.Plan;
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
  private static final Sense DEVICE_IDENTIFIER_CHANGED =
      new Sense(SenseKey.UNIT_ATTENTION, 0x3F, 0x05);
  private static final AttributeDescriptor REL_TGT_ID =
      AttributeDescriptor.builder(Config.REL_TGT_ID, AttributeType.INTEGER).createParameter()
          .description("The relative target port identifier (SPC-4), 1 to 65535; the smallest "
              + "free one by default").build();

  private final Path dataDirectory;
  /** The desired state: what management and the configuration file asked for. */
  private Config config = Config.EMPTY;
  /** Each target's relative target port identifier, replaced with the configuration. */
  private volatile Map<String, Integer> ports = Map.of();
  /** The configuration file written after every change, when there is one. */
  private ConfigFile file;
  /** Set while {@link #load} applies: devices open and drivers start later. */
  private boolean booting;
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
    synchronized (this) {
      // Opening and starting are left to the management thread, as when a handler or driver
      // registers, since this may run where services are bound (activation).
      booting = true;
      try {
        ApplyReport report = change(c, sourceName, true, false, false);
        report.notApplied().forEach(w -> LOG.log(Level.WARNING, w));
      } catch (ManagementException e) {
        throw new ConfigException(e.getMessage());
      } finally {
        booting = false;
      }
      handlers.values().forEach(this::openLater);
      drivers.values().forEach(this::startLater);
    }
  }

  /**
   * From now on, writes the running configuration to {@code path} after every change made
   * through management, and applies edits of the file as a difference while it is watched.
   */
  public synchronized void persist(Path path, boolean loaded) throws IOException {
    file = new ConfigFile(path, this, loaded);
    file.watch();
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
   * A configured device, with its persistent reservations and mode parameters as they were
   * saved; {@code ports} gives each target its relative target port identifier ({@link
   * Config#relativeTargetPortIds}).
   */
  private Device device(DeviceConf d, String sourceName) throws ConfigException {
    Map<String, String> core = identityChecked(d, sourceName);
    return new Device(d, Map.copyOf(core), DeviceIdentity.of(d.name(), core),
        new PrState(d.name(), new PrStore(dataDirectory, d.name()), () -> ports),
        new ModeStore(dataDirectory, d.name()));
  }

  /** "source:line: ", or "source: " for what was not read from a text. */
  private static String at(String sourceName, int line) {
    return sourceName + (line > 0 ? ":" + line : "") + ": ";
  }

  /** Core's attributes of a device, canonical, with defaults. */
  private static Map<String, String> coreAttributes(DeviceConf d, String sourceName)
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
        throw new ConfigException(at(sourceName, v.line()) + e.getMessage());
      }
    }
    return core;
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
    return devices.values().stream().filter(d -> d.handler().equals(handler)).toList();
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
    Map<String, String> checked;
    try {
      checked = handlerAttributes(d.conf, handler, source);
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

  /**
   * A device's attributes as its handler gets them: the ones it describes, checked, with
   * defaults; core's among them when the handler describes them too (read_only: a handler may
   * open its storage read-only); core's others are not its.
   */
  private Map<String, String> handlerAttributes(DeviceConf d, DeviceHandler handler,
      String sourceName) throws ConfigException {
    Set<String> described = handler.deviceAttributes().stream().map(AttributeDescriptor::name)
        .collect(Collectors.toSet());
    Set<String> coreOnly = DeviceIdentity.ATTRIBUTES.stream().map(AttributeDescriptor::name)
        .filter(n -> !described.contains(n)).collect(Collectors.toSet());
    return checked(sourceName, d.attributes(), handler.deviceAttributes(),
        "DEVICE " + d.name() + " of handler " + handler.name(), d.line(), coreOnly);
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

  private void start(TargetDriver driver) {
    DriverConf conf = config.driver(driver.name()).orElse(null);
    if (conf == null || !conf.enabled()) {
      return;
    }
    try {
      Map<String, String> attributes = checked(source, conf.attributes(),
          withEnabled(driver.attributes()), "TARGET_DRIVER " + conf.name(), conf.line(),
          Set.of());
      Map<String, CoreTarget> targets = new LinkedHashMap<>();
      for (TargetConf t : conf.targets()) {
        targets.put(t.name(), new CoreTarget(driver.name(), t.name(), state(driver, t, source)));
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

  /** A target as its configuration says: attributes checked, LUN maps built. */
  private CoreTarget.State state(TargetDriver driver, TargetConf t, String sourceName)
      throws ConfigException {
    Map<String, String> ta = new LinkedHashMap<>(checked(sourceName, t.attributes(),
        targetDescriptors(driver), "TARGET " + t.name(), t.line(), Set.of()));
    ta.put(Config.REL_TGT_ID, String.valueOf(ports.get(t.name())));
    List<CoreTarget.Group> groups = new ArrayList<>();
    for (GroupConf g : t.groups()) {
      groups.add(new CoreTarget.Group(g.name(),
          g.initiators().stream().map(CoreTarget::pattern).toList(), luns(t.name(), g.luns())));
    }
    return new CoreTarget.State(t.enabled(), Map.copyOf(ta), luns(t.name(), t.luns()),
        List.copyOf(groups));
  }

  /** What a target of this driver may have: enabled, its relative port, the driver's own. */
  static List<AttributeDescriptor> targetDescriptors(TargetDriver driver) {
    return Stream.concat(Stream.of(ENABLED, REL_TGT_ID), driver.targetAttributes().stream())
        .toList();
  }

  /**
   * Brings a running driver's targets and their sessions to the configuration: targets added,
   * changed or gone (their sessions asked to close, as are those of a disabled target or of
   * one in {@code recreate}), and every session's LUN map as its initiator's group gives it
   * now; a session whose LUN inventory changed gets REPORTED LUNS DATA HAS CHANGED.
   */
  private void sync(DriverRuntime r, Set<String> recreate) throws ConfigException {
    DriverConf conf = config.driver(r.driver.name()).orElse(null);
    Map<String, CoreTarget> before = r.targetMap();
    Map<String, CoreTarget> next = new LinkedHashMap<>();
    boolean announced = false;
    for (TargetConf t : conf == null ? List.<TargetConf>of() : conf.targets()) {
      CoreTarget.State state = state(r.driver, t, source);
      CoreTarget live = before.get(t.name());
      if (live == null || recreate.contains(t.name())) {
        live = new CoreTarget(r.driver.name(), t.name(), state);
        announced = true;
      } else {
        CoreTarget.State was = live.state();
        announced |= was.enabled() != state.enabled()
            || !was.attributes().equals(state.attributes());
        live.update(state);
      }
      next.put(t.name(), live);
    }
    r.targets(next);
    if (announced || !next.keySet().equals(before.keySet())) {
      targetsChanged(r);
    }
    for (CoreSession s : List.copyOf(r.sessions)) {
      CoreTarget t = next.get(s.target().name());
      if (t != s.target()) {
        s.events.closeRequested("target " + s.target().name() + " was removed or recreated");
      } else if (!t.enabled()) {
        s.events.closeRequested("target " + t.name() + " was disabled");
      } else {
        NavigableMap<Long, Lun> was = s.luns();
        NavigableMap<Long, Lun> now = t.lunsFor(s.initiator());
        if (!now.equals(was)) {
          s.update(now);
          if (!inventory(was).equals(inventory(now))) {
            reportedLunsChanged(s);
          }
        }
      }
    }
  }

  /**
   * Tells a driver that what it may announce of its targets changed; a driver that fails
   * here is logged, as the change itself is made.
   */
  private static void targetsChanged(DriverRuntime r) {
    try {
      r.driver.targetsChanged();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "driver " + r.driver.name() + " failed to take its targets' "
          + "change", e);
    }
  }

  /** What REPORT LUNS tells: the numbers, and the device behind each. */
  private static Map<Long, Device> inventory(NavigableMap<Long, Lun> luns) {
    Map<Long, Device> out = new java.util.HashMap<>();
    luns.forEach((n, l) -> out.put(n, l.device()));
    return out;
  }

  // The unit attentions management raises (SPC-4 5.14).

  /** The LUN inventory of a nexus changed: REPORTED LUNS DATA HAS CHANGED (3Fh/0Eh). */
  private static void reportedLunsChanged(CoreSession s) {
    UnitAttention.raise(s, Sense.REPORTED_LUNS_DATA_HAS_CHANGED);
  }

  /** The capacity of a device changed: CAPACITY DATA HAS CHANGED (2Ah/09h). */
  private static void capacityChanged(Device d) {
    UnitAttention.raise(d, Sense.CAPACITY_DATA_HAS_CHANGED, null);
  }

  /**
   * What a device says in INQUIRY changed: INQUIRY DATA HAS CHANGED (3Fh/03h), or DEVICE
   * IDENTIFIER CHANGED (3Fh/05h) when a designator of VPD page 83h or the serial number did.
   */
  private static void inquiryChanged(Device d, boolean identifier) {
    UnitAttention.raise(d, identifier ? DEVICE_IDENTIFIER_CHANGED
        : UnitAttention.INQUIRY_DATA_HAS_CHANGED, null);
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
  private static Map<String, String> checked(String source, Map<String, Value> written,
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
          throw new ConfigException(at(source, e.getValue().line()) + where
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
            throw new ConfigException(at(source, line) + where + " needs attribute "
                + a.name());
          }
        }
      }
    } catch (IllegalArgumentException ex) {
      throw new ConfigException((line < 0 ? where + ": the default of " : at(source, line))
          + ex.getMessage());
    }
    return Map.copyOf(out);
  }

  private static List<AttributeDescriptor> withEnabled(List<AttributeDescriptor> descriptors) {
    return Stream.concat(Stream.of(ENABLED), descriptors.stream()).toList();
  }

  // Changes: every change builds the whole desired configuration, checks it, and applies the
  // difference to the running system.

  /** What happens to one device of the new configuration. */
  private record DeviceChange(DeviceConf conf, Map<String, String> core, boolean added,
      boolean identity, boolean identifier, Map<String, String> inPlace, boolean reopen) {}

  /**
   * What a change sets in place of a running driver: its writable attributes that change, with
   * their new values, and all its attributes as they are afterwards.
   */
  private record DriverChange(Map<String, String> changed, Map<String, String> attributes) {}

  /**
   * Applies a desired configuration as a difference to the running system.
   *
   * @param force whether objects missing from {@code proposed} are removed and create-time
   *     attributes changed by reopening or recreating their objects; without it, they are
   *     kept as they are and reported
   * @param persist whether to write the configuration file afterwards
   */
  synchronized ApplyReport change(Config proposed, String src, boolean force, boolean dryRun,
      boolean persist) {
    if (closed) {
      throw new ManagementException("Karst is stopping; nothing is changed");
    }
    List<String> notApplied = new ArrayList<>();
    Config next = force ? proposed : keepMissing(proposed, config, src, notApplied);
    Plan plan = new Plan();
    Map<String, DeviceChange> deviceChanges = new LinkedHashMap<>();
    Map<String, Set<String>> recreate = new LinkedHashMap<>();
    Set<String> restart = new LinkedHashSet<>();
    Map<String, DriverChange> driverChanges = new LinkedHashMap<>();
    boolean aluaRebuilt;
    try {
      new ConfigParser(src).validate(next);
      next = planDevices(next, src, force, plan, notApplied, deviceChanges);
      next = planTargets(next, src, force, plan, notApplied, recreate, restart, driverChanges);
      new ConfigParser(src).validate(next);
      aluaRebuilt = planAlua(next, plan);
    } catch (ConfigException e) {
      throw new ManagementException(e.getMessage());
    }
    for (String name : devices.keySet()) {
      if (next.device(name).isEmpty()) {
        plan.remove(Plan.DEVICES, "remove device " + name);
      }
    }
    if (dryRun) {
      return new ApplyReport(plan.steps(), List.copyOf(notApplied), false);
    }
    setDriverAttributes(driverChanges);
    Map<String, Integer> nextPorts = Map.copyOf(next.relativeTargetPortIds());
    for (DeviceChange c : deviceChanges.values()) {
      applyDevice(c, src, notApplied);
      Device d = devices.get(c.conf().name());
      if (d != null && d.conf != c.conf()) {
        next = next.withDevice(d.conf);
      }
    }
    if (aluaRebuilt) {
      // Initiators learn of new or changed target port groups by asking again.
      alua = new Alua.Model(next.deviceGroups(), nextPorts, devices);
      alua.groups().forEach(g -> Alua.changed(g, null));
    } else {
      for (Alua.DeviceGroup g : alua.groups()) {
        boolean changed = false;
        for (Alua.PortGroup live : g.groups()) {
          Alua.State was = configuredState(g.name(), live.name);
          Alua.State now = next.deviceGroups().stream().filter(d -> d.name().equals(g.name()))
              .flatMap(d -> d.targetGroups().stream()).filter(t -> t.name().equals(live.name))
              .map(TargetGroupConf::state).findFirst().orElse(was);
          if (was != now) {
            changed |= live.transition(now, Alua.ALTERED_IMPLICITLY);
          }
        }
        if (changed) {
          Alua.changed(g, null);
        }
      }
    }
    config = next;
    source = src;
    ports = nextPorts;
    for (DriverRuntime r : List.copyOf(running.values())) {
      DriverConf conf = next.driver(r.driver.name()).orElse(null);
      if (conf == null || !conf.enabled() || restart.contains(r.driver.name())) {
        running.remove(r.driver.name());
        stop(r);
      }
    }
    for (DriverRuntime r : running.values()) {
      try {
        sync(r, recreate.getOrDefault(r.driver.name(), Set.of()));
      } catch (ConfigException e) {
        // checked above against the same descriptors; a driver that changed them meanwhile
        notApplied.add(e.getMessage());
      }
    }
    for (TargetDriver d : drivers.values()) {
      if (!running.containsKey(d.name()) && !booting) {
        start(d);
      }
    }
    for (Device d : List.copyOf(devices.values())) {
      if (next.device(d.name).isEmpty()) {
        devices.remove(d.name);
        try {
          d.detach("device " + d.name + " was removed", DRAIN_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    List<String> steps = plan.steps();
    steps.forEach(step -> LOG.log(Level.INFO, src + ": " + step));
    if (persist && file != null) {
      file.write(write(false));
    }
    return new ApplyReport(steps, List.copyOf(notApplied), true);
  }

  /**
   * Plans the devices of {@code next} and returns it with what is not applied put back as it
   * runs (create-time attributes without force).
   */
  private Config planDevices(Config next, String src, boolean force, Plan plan,
      List<String> notApplied, Map<String, DeviceChange> changes) throws ConfigException {
    Config out = next;
    for (var h : next.handlers()) {
      for (DeviceConf d : h.devices()) {
        DeviceHandler handler = handlers.get(d.handler());
        Map<String, String> core = identityChecked(d, src);
        Map<String, String> own = handler == null ? null : handlerAttributes(d, handler, src);
        Device live = devices.get(d.name());
        String absent = "HANDLER " + d.handler() + " is not registered: its devices are kept "
            + "and open when it registers";
        if (handler == null && !notApplied.contains(absent) && (live == null
            || !texts(live.conf.attributes()).equals(texts(d.attributes())))) {
          notApplied.add(absent);
        }
        if (live == null) {
          plan.add(Plan.DEVICES, "add device " + d.name() + " (handler " + d.handler()
              + (handler == null ? ", not registered: opens when it registers)" : ")"));
          changes.put(d.name(), new DeviceChange(d, core, true, false, false, Map.of(), false));
          continue;
        }
        boolean online = live.backend() != null;
        List<String> createTime = new ArrayList<>();
        Map<String, String> coreChanged = new LinkedHashMap<>();
        for (AttributeDescriptor a : DeviceIdentity.ATTRIBUTES) {
          if (!java.util.Objects.equals(live.coreAttributes.get(a.name()), core.get(a.name()))) {
            if (a.writable()) {
              coreChanged.put(a.name(), core.get(a.name()));
            } else {
              createTime.add(a.name());
            }
          }
        }
        Map<String, String> inPlace = new LinkedHashMap<>();
        if (!live.handler().equals(d.handler())) {
          createTime.add("handler");
        } else if (handler != null && online) {
          Map<String, String> was = live.handlerAttributes();
          for (AttributeDescriptor a : handler.deviceAttributes()) {
            if (!java.util.Objects.equals(was.get(a.name()), own.get(a.name()))
                && !coreChanged.containsKey(a.name()) && !createTime.contains(a.name())) {
              if (a.writable()) {
                inPlace.put(a.name(), own.get(a.name()));
              } else {
                createTime.add(a.name());
              }
            }
          }
        }
        boolean confChanged = !texts(live.conf.attributes()).equals(texts(d.attributes()))
            || !live.handler().equals(d.handler());
        if (!createTime.isEmpty() && online && !force) {
          notApplied.add("device " + d.name() + ": " + String.join(", ", createTime)
              + " can only change by reopening the device; apply with force to do so");
          DeviceConf kept = keepCreateTime(live.conf, d, createTime);
          out = out.withDevice(kept);
          d = kept;
          core = identityChecked(d, src);
          createTime.clear();
          confChanged = !texts(live.conf.attributes()).equals(texts(d.attributes()));
        }
        boolean reopen = handler != null && (online ? !createTime.isEmpty()
            : confChanged || !createTime.isEmpty());
        if (reopen) {
          // It opens again with every attribute: setting some on the backend it closes first
          // would be undone, or refused by a check the new set passes (nullio's read_zero 0
          // with thin_provisioned going to 0 too).
          inPlace.clear();
          plan.add(Plan.DEVICES, (online ? "reopen device " + d.name() + ": "
              + String.join(", ", createTime) + " changed" : "open device " + d.name()));
        }
        coreChanged.forEach((k, v) -> plan.add(Plan.DEVICES, "set device " + live.name + " " + k
            + " " + (v == null ? "(default)" : v)));
        inPlace.forEach((k, v) -> plan.add(Plan.DEVICES, "set device " + live.name + " " + k
            + " " + (v == null ? "(none)" : v)));
        if (!reopen && handler == null && confChanged) {
          plan.add(Plan.DEVICES, "change device " + d.name() + " (handler " + d.handler()
              + " not registered: it opens with these attributes)");
        }
        if (confChanged || reopen || !coreChanged.isEmpty()) {
          boolean identifier = coreChanged.keySet().stream()
              .anyMatch(k -> k.equals("usn") || k.equals("naa_id") || k.equals("eui64_id")
                  || k.equals("t10_dev_id"));
          // Not Map.copyOf: a writable attribute without a default that the text takes out
          // is set to null, "none" (vdisk_fileio's size: the file's length again).
          changes.put(d.name(), new DeviceChange(d, core, false, !coreChanged.isEmpty(),
              identifier, java.util.Collections.unmodifiableMap(inPlace), reopen));
        }
      }
    }
    return out;
  }

  /** Core's attributes of a device, checked as its identity takes them. */
  private static Map<String, String> identityChecked(DeviceConf d, String src)
      throws ConfigException {
    Map<String, String> core = coreAttributes(d, src);
    try {
      DeviceIdentity.of(d.name(), core);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(at(src, d.line()) + "DEVICE " + d.name() + ": "
          + e.getMessage());
    }
    return core;
  }

  /** The new device configuration with the create-time attributes (and handler) it runs with. */
  private static DeviceConf keepCreateTime(DeviceConf running, DeviceConf next,
      List<String> createTime) {
    return new DeviceConf(next.name(), running.handler(), next.line(),
        Config.overlaid(next.attributes(), running.attributes(), createTime));
  }

  /** Carries out one device's part of a change. */
  private void applyDevice(DeviceChange c, String src, List<String> notApplied) {
    DeviceHandler handler = handlers.get(c.conf().handler());
    Device d = devices.get(c.conf().name());
    try {
      if (c.added()) {
        d = device(c.conf(), src);
        devices.put(d.name, d);
      } else if (c.reopen()) {
        d.detach("device " + d.name + " is reopening", DRAIN_MILLIS);
      }
    } catch (ConfigException e) {
      notApplied.add(e.getMessage());
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    DeviceConf before = d.conf;
    d.identify(c.conf(), Map.copyOf(c.core()), DeviceIdentity.of(d.name, c.core()));
    if (c.identity()) {
      inquiryChanged(d, c.identifier());
    }
    Backend backend = d.backend();
    for (var e : c.inPlace().entrySet()) {
      long blocks = backend instanceof BlockBackend b ? b.blockCount() : 0;
      try {
        backend.set(e.getKey(), e.getValue());
        d.handlerAttributeChanged(d.conf, e.getKey(), e.getValue());
      } catch (Exception ex) {
        notApplied.add("device " + d.name + ": " + e.getKey() + " was not changed: "
            + ex.getMessage());
        Value was = before.attributes().get(e.getKey());
        d.identify(d.conf.with(Config.with(d.conf.attributes(), e.getKey(),
            Config.texts(was))), d.coreAttributes, d.identity);
        continue;
      }
      if (backend instanceof BlockBackend b && b.blockCount() != blocks) {
        capacityChanged(d);
      }
    }
    if ((c.added() || c.reopen()) && handler != null && !booting) {
      String failure = openDevice(d, handler);
      if (failure != null) {
        d.failed(failure);
        notApplied.add("device " + d.name + " stays offline: " + failure);
      }
    }
  }

  /**
   * Plans drivers, targets, LUNs, groups and initiators, and returns {@code next} with what is
   * not applied put back as it runs (create-time target attributes without force).
   */
  private Config planTargets(Config next, String src, boolean force, Plan plan,
      List<String> notApplied, Map<String, Set<String>> recreate, Set<String> restart,
      Map<String, DriverChange> driverChanges) throws ConfigException {
    Config out = next;
    for (DriverConf d : next.drivers()) {
      TargetDriver driver = drivers.get(d.name());
      DriverConf old = config.driver(d.name()).orElse(null);
      Map<String, String> attributes = driverAttributes(d, driver, src);
      Map<String, String> was = old == null ? Map.of() : driverAttributes(old, driver, src);
      if (driver == null && (old == null || !attributes.equals(was))) {
        notApplied.add("TARGET_DRIVER " + d.name() + " is not registered: its part is kept "
            + "and applied when it registers");
      }
      boolean wasEnabled = old != null && old.enabled();
      DriverConf merged = d;
      Map<String, String> inPlace = new LinkedHashMap<>();
      if (d.enabled() && !wasEnabled) {
        plan.add(Plan.ENABLE_DRIVERS, "enable driver " + d.name()
            + (driver == null ? " (starts when it registers)" : ""));
      } else if (!d.enabled() && wasEnabled) {
        plan.remove(Plan.ENABLE_DRIVERS, "disable driver " + d.name() + " (its sessions end)");
      } else if (!without(attributes, "enabled").equals(without(was, "enabled"))) {
        if (running.containsKey(d.name())) {
          merged = planRunningDriver(d, old, driver, attributes, was, force, plan, notApplied,
              restart, inPlace);
        } else {
          plan.add(Plan.ENABLE_DRIVERS, "set attributes of driver " + d.name());
        }
      }
      boolean checking = driver != null && d.enabled() && running.containsKey(d.name());
      boolean restarting = restart.contains(d.name());
      Map<String, String> plannedDriver = merged == d ? attributes
          : driverAttributes(merged, driver, src);
      if (!inPlace.isEmpty()) {
        driverChanges.put(d.name(), new DriverChange(
            java.util.Collections.unmodifiableMap(inPlace), plannedDriver));
      }
      // The targets the running driver is asked about, with their attributes as planned.
      List<Map.Entry<TargetConf, Map<String, String>>> given = new ArrayList<>();
      for (TargetConf t : d.targets()) {
        String where = "target " + d.name() + "/" + t.name();
        Map<String, String> ta = targetAttributes(t, driver, src);
        TargetConf ot = old == null ? null : config.target(d.name(), t.name()).orElse(null);
        if (ot == null) {
          if (checking) {
            given.add(Map.entry(t, ta));
          }
          plan.add(Plan.TARGETS, "add " + where);
          if (t.enabled()) {
            plan.add(Plan.ENABLE_TARGETS, "enable " + where);
          }
          lunDiff(plan, where, List.of(), t.luns());
          for (GroupConf g : t.groups()) {
            groupDiff(plan, where, null, g);
          }
          continue;
        }
        Map<String, String> ota = targetAttributes(ot, driver, src);
        List<String> createTime = new ArrayList<>();
        Set<String> names = new java.util.TreeSet<>(ta.keySet());
        names.addAll(ota.keySet());
        for (String name : names) {
          if (name.equals("enabled") || java.util.Objects.equals(ta.get(name), ota.get(name))) {
            continue;
          }
          AttributeDescriptor a = driver == null ? null : targetDescriptors(driver).stream()
              .filter(x -> x.name().equals(name)).findFirst().orElse(null);
          if (a != null && !a.writable()) {
            createTime.add(name);
          } else {
            plan.add(Plan.TARGETS, "set " + where + " " + name);
          }
        }
        TargetConf planned = t;
        Map<String, String> plannedAttributes = ta;
        if (!createTime.isEmpty()) {
          if (force) {
            recreate.computeIfAbsent(d.name(), k -> new java.util.HashSet<>()).add(t.name());
            plan.add(Plan.TARGETS, "recreate " + where + ": " + String.join(", ", createTime)
                + " changed (its sessions end)");
          } else {
            notApplied.add(where + ": " + String.join(", ", createTime) + " can only change "
                + "by recreating the target, which ends its sessions; apply with force to do so");
            planned = t.with(Config.overlaid(t.attributes(), ot.attributes(), createTime));
            merged = merged.withTarget(t.name(), planned);
            if (checking) {
              plannedAttributes = targetAttributes(planned, driver, src);
            }
          }
        }
        if (checking && (restarting || !plannedAttributes.equals(ota))) {
          given.add(Map.entry(planned, plannedAttributes));
        }
        if (t.enabled() && !ot.enabled()) {
          plan.add(Plan.ENABLE_TARGETS, "enable " + where);
        } else if (!t.enabled() && ot.enabled()) {
          plan.remove(Plan.ENABLE_TARGETS, "disable " + where
              + " (its sessions are asked to close)");
        }
        lunDiff(plan, where, ot.luns(), t.luns());
        for (GroupConf g : t.groups()) {
          groupDiff(plan, where, ot.groups().stream().filter(x -> x.name().equals(g.name()))
              .findFirst().orElse(null), g);
        }
        for (GroupConf og : ot.groups()) {
          if (t.groups().stream().noneMatch(x -> x.name().equals(og.name()))) {
            plan.remove(Plan.GROUPS, "remove group " + og.name() + " of " + where);
          }
        }
      }
      if (old != null) {
        for (TargetConf ot : old.targets()) {
          if (d.targets().stream().noneMatch(x -> x.name().equals(ot.name()))) {
            plan.remove(Plan.TARGETS, "remove target " + d.name() + "/" + ot.name()
                + " (its sessions are asked to close)");
          }
        }
      }
      if (checking) {
        checkRunning(driver, merged, plannedDriver, restarting || !inPlace.isEmpty(), given,
            src);
      }
      out = out.withDriver(merged);
    }
    for (DriverConf old : config.drivers()) {
      if (next.driver(old.name()).isEmpty()) {
        plan.remove(Plan.ENABLE_DRIVERS, "remove driver " + old.name() + " from the "
            + "configuration" + (running.containsKey(old.name()) ? " (it stops)" : ""));
      }
    }
    return out;
  }

  /**
   * Plans a change of a running driver's attributes: those it describes as writable change in
   * place ({@link TargetDriver#set}), ending no session; any other restarts it with force (all
   * of them then taking effect with the restart), and is kept as it runs without.
   *
   * @param inPlace receives the attributes to set in place, with their new values
   * @return the driver's configuration as the change leaves it
   */
  private static DriverConf planRunningDriver(DriverConf d, DriverConf old, TargetDriver driver,
      Map<String, String> attributes, Map<String, String> was, boolean force, Plan plan,
      List<String> notApplied, Set<String> restart, Map<String, String> inPlace) {
    List<String> createTime = new ArrayList<>();
    List<String> steps = new ArrayList<>();
    for (AttributeDescriptor a : driver.attributes()) {
      String value = attributes.get(a.name());
      if (!java.util.Objects.equals(value, was.get(a.name()))) {
        if (a.writable()) {
          inPlace.put(a.name(), value);
          steps.add("set driver " + d.name() + " " + a.name() + " "
              + (value == null ? "(none)" : a.redacted(value)));
        } else {
          createTime.add(a.name());
        }
      }
    }
    if (!createTime.isEmpty() && force) {
      inPlace.clear();
      restart.add(d.name());
      plan.add(Plan.ENABLE_DRIVERS, "restart driver " + d.name() + ": "
          + String.join(", ", createTime) + " changed (its sessions end; initiators log in "
          + "again)");
      return d;
    }
    steps.forEach(step -> plan.add(Plan.ENABLE_DRIVERS, step));
    if (createTime.isEmpty()) {
      return d;
    }
    // A restart ends every session of every target of the driver: as for a target's
    // create-time attributes, only an explicit force does that (a file that merely omits the
    // iSNS server must not log everyone out).
    notApplied.add("driver " + d.name() + ": its attributes can only change by restarting it, "
        + "which ends all its sessions; apply with force to do so (" + String.join(", ",
        createTime) + ")");
    return d.with(Config.overlaid(d.attributes(), old.attributes(), createTime));
  }

  /**
   * Sets the changed writable attributes of the running drivers, before anything else of a
   * change is applied: one that a driver cannot take refuses the whole change, and what was
   * set before it is set back.
   */
  private void setDriverAttributes(Map<String, DriverChange> changes) {
    java.util.Deque<Runnable> undo = new java.util.ArrayDeque<>();
    for (var c : changes.entrySet()) {
      DriverRuntime r = running.get(c.getKey());
      Map<String, String> was = r.attributes();
      for (var e : c.getValue().changed().entrySet()) {
        try {
          r.driver.set(e.getKey(), e.getValue());
        } catch (Exception ex) {
          undo.forEach(Runnable::run);
          throw new ManagementException("driver " + r.driver.name() + ": " + e.getKey()
              + " was not changed, nor anything else of this change: " + ex.getMessage());
        }
        undo.push(() -> {
          try {
            r.driver.set(e.getKey(), was.get(e.getKey()));
          } catch (Exception ex) {
            // Without the value, which may be a secret.
            LOG.log(Level.WARNING, "driver " + r.driver.name() + ": " + e.getKey()
                + " could not be set back to what it was", ex);
          }
        });
      }
    }
    changes.forEach((name, c) -> running.get(name).attributes(c.attributes()));
  }

  /**
   * Lets a running driver refuse what a change would give it: its attributes when it restarts
   * with them or changes some in place, and each target that is new or changed (every one on
   * a restart), as it would otherwise refuse them only at its next start or login.
   *
   * @param attributes the driver's attributes as planned, checked
   * @param targets the new or changed targets as planned, with their checked attributes
   */
  private static void checkRunning(TargetDriver driver, DriverConf d,
      Map<String, String> attributes, boolean changing,
      List<Map.Entry<TargetConf, Map<String, String>>> targets, String src)
      throws ConfigException {
    if (changing) {
      try {
        driver.checkAttributes(attributes);
      } catch (RuntimeException e) {
        throw new ConfigException(at(src, d.line()) + e.getMessage());
      }
    }
    for (var t : targets) {
      try {
        driver.checkTarget(t.getKey().name(), t.getValue(), attributes);
      } catch (RuntimeException e) {
        throw new ConfigException(at(src, t.getKey().line()) + e.getMessage());
      }
    }
  }

  /**
   * A driver's attributes checked, when it is registered; else core's own ({@code enabled})
   * checked and the rest as written.
   */
  private static Map<String, String> driverAttributes(DriverConf d, TargetDriver driver,
      String src) throws ConfigException {
    String where = "TARGET_DRIVER " + d.name();
    return driver == null ? unregistered(src, d.attributes(), List.of(ENABLED), where, d.line())
        : checked(src, d.attributes(), withEnabled(driver.attributes()), where, d.line(),
            Set.of());
  }

  /**
   * A target's attributes checked, when its driver is registered; else core's own
   * ({@code enabled}, {@code rel_tgt_id}) checked and the rest as written.
   */
  private static Map<String, String> targetAttributes(TargetConf t, TargetDriver driver,
      String src) throws ConfigException {
    String where = "TARGET " + t.name();
    return driver == null
        ? unregistered(src, t.attributes(), List.of(ENABLED, REL_TGT_ID), where, t.line())
        : checked(src, t.attributes(), targetDescriptors(driver), where, t.line(), Set.of());
  }

  /**
   * The attributes of an object whose driver is not registered: its descriptors are unknown
   * until it is, so the rest is kept as written, but core's own attributes are core's to check
   * (a change that writes {@code enabled maybe} is refused naming it, not stored).
   */
  private static Map<String, String> unregistered(String src, Map<String, Value> written,
      List<AttributeDescriptor> core, String where, int line) throws ConfigException {
    Set<String> others = new java.util.HashSet<>(written.keySet());
    core.forEach(a -> others.remove(a.name()));
    Map<String, String> out = joined(written);
    out.putAll(checked(src, written, core, where, line, others));
    return out;
  }

  private static Map<String, String> joined(Map<String, Value> attributes) {
    Map<String, String> out = new LinkedHashMap<>();
    attributes.forEach((k, v) -> out.put(k, AttributeDescriptor.join(Config.texts(v))));
    return out;
  }

  /** Plans ALUA: whether the device groups change shape (rebuilt), or only states change. */
  private boolean planAlua(Config next, Plan plan) {
    if (!aluaShape(next).equals(aluaShape(config))) {
      plan.add(Plan.ALUA, "set up ALUA device groups "
          + next.deviceGroups().stream().map(DeviceGroupConf::name).toList());
      return true;
    }
    for (DeviceGroupConf g : next.deviceGroups()) {
      for (TargetGroupConf t : g.targetGroups()) {
        Alua.State was = configuredState(g.name(), t.name());
        if (was != null && was != t.state()) {
          plan.add(Plan.ALUA, "target group " + t.name() + " of device group " + g.name()
              + ": " + was.scstName + " -> " + t.state().scstName);
        }
      }
    }
    return false;
  }

  /**
   * A target group's state as the configuration last set it; a transition since (by SET TARGET
   * PORT GROUPS) stays until the configuration sets another state.
   */
  private Alua.State configuredState(String deviceGroup, String targetGroup) {
    return config.deviceGroups().stream().filter(d -> d.name().equals(deviceGroup))
        .flatMap(d -> d.targetGroups().stream()).filter(t -> t.name().equals(targetGroup))
        .map(TargetGroupConf::state).findFirst().orElse(null);
  }

  private Alua.PortGroup portGroup(String deviceGroup, String targetGroup) {
    return alua.groups().stream().filter(d -> d.name().equals(deviceGroup))
        .flatMap(d -> d.groups().stream()).filter(p -> p.name.equals(targetGroup))
        .findFirst().orElse(null);
  }

  /** Stops every driver, closes every device and ends the management thread. */
  @Override
  public synchronized void close() {
    closed = true;
    if (file != null) {
      file.close();
    }
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
    return handlerNames().stream().map(n -> {
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
      return new DeviceInfo(d.name, d.handler(), d.state(), d.detail(), blocks, size,
          Map.copyOf(attributes));
    }).toList();
  }

  @Override
  public synchronized List<DriverInfo> drivers() {
    return driverNames().stream().map(n -> {
      DriverConf conf = config.driver(n).orElse(null);
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
    config = config.withDeviceGroups(config.deviceGroups().stream().map(dg -> !dg.name()
        .equals(deviceGroup) ? dg : dg.targetGroups().stream()
            .filter(t -> t.name().equals(targetGroup)).findFirst()
            .map(t -> dg.withTargetGroup(targetGroup, t.with(to, t.preferred()))).orElse(dg))
        .toList());
    LOG.log(Level.INFO, "ALUA: target group " + targetGroup + " of device group " + deviceGroup
        + " is now " + to.scstName);
    if (file != null) {
      file.write(write(false));
    }
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

  // The management tree: ManagementTree reads the running system and builds each change.

  /** The configuration file, once {@link #persist} gave one. */
  ConfigFile configFile() {
    return file;
  }

  Config config() {
    return config;
  }

  Map<String, Device> deviceMap() {
    return devices;
  }

  DeviceHandler handler(String name) {
    return handlers.get(name);
  }

  Set<String> handlerNames() {
    Set<String> names = new LinkedHashSet<>();
    config.handlers().forEach(h -> names.add(h.name()));
    names.addAll(handlers.keySet());
    return names;
  }

  TargetDriver driver(String name) {
    return drivers.get(name);
  }

  Set<String> driverNames() {
    Set<String> names = new LinkedHashSet<>();
    config.drivers().forEach(d -> names.add(d.name()));
    names.addAll(drivers.keySet());
    return names;
  }

  DriverRuntime runtime(String driver) {
    return running.get(driver);
  }

  int relativePort(String target) {
    return ports.getOrDefault(target, 0);
  }

  Alua.PortGroup livePortGroup(String deviceGroup, String targetGroup) {
    return portGroup(deviceGroup, targetGroup);
  }

  /** A device's attributes now: core's and its handler's, canonical, with defaults. */
  Map<String, String> deviceValues(Device d) {
    Map<String, String> values = new LinkedHashMap<>(d.coreAttributes);
    DeviceHandler h = handlers.get(d.handler());
    try {
      values.putAll(h == null ? joined(d.conf.attributes()) : handlerAttributes(d.conf, h, source));
    } catch (ConfigException e) {
      values.putAll(joined(d.conf.attributes()));
    }
    return values;
  }

  /** A driver's attributes now, or a target's: checked when registered, else as written. */
  Map<String, String> driverValues(DriverConf d) {
    try {
      return driverAttributes(d, drivers.get(d.name()), source);
    } catch (ConfigException e) {
      return joined(d.attributes());
    }
  }

  Map<String, String> targetValues(String driver, TargetConf t) {
    Map<String, String> values;
    try {
      values = new LinkedHashMap<>(targetAttributes(t, drivers.get(driver), source));
    } catch (ConfigException e) {
      values = new LinkedHashMap<>(joined(t.attributes()));
    }
    values.put(Config.REL_TGT_ID, String.valueOf(relativePort(t.name())));
    return values;
  }

  static AttributeDescriptor enabledDescriptor() {
    return ENABLED;
  }

  static List<AttributeDescriptor> driverDescriptors(TargetDriver driver) {
    return withEnabled(driver.attributes());
  }

  /**
   * Reads a device's backing store's size again (SCST's resync_size): in place where the
   * backend can ({@link BlockBackend#resyncSize}), else by reopening the device; initiators get
   * CAPACITY DATA HAS CHANGED when it differs.
   */
  String resync(Device d) {
    DeviceHandler h = handlers.get(d.handler());
    if (h == null || d.backend() == null) {
      throw new ManagementException("device " + d.name + " is offline (" + d.detail()
          + "); its size is read when it opens");
    }
    long before = d.backend() instanceof BlockBackend b ? b.blockCount() : 0;
    boolean inPlace;
    try {
      inPlace = d.backend() instanceof BlockBackend b && b.resyncSize();
    } catch (DeviceException e) {
      throw new ManagementException("device " + d.name + ": its size was not read again: "
          + e.getMessage());
    }
    if (inPlace) {
      return resized(d, before);
    }
    try {
      d.detach("device " + d.name + " is reading its size again", DRAIN_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ManagementException("interrupted while device " + d.name + " drained");
    }
    String failure = openDevice(d, h);
    if (failure != null) {
      d.failed(failure);
      throw new ManagementException("device " + d.name + " did not reopen and is offline: "
          + failure);
    }
    return resized(d, before);
  }

  /** Raises CAPACITY DATA HAS CHANGED when the device no longer has {@code before} blocks. */
  private static String resized(Device d, long before) {
    long after = d.backend() instanceof BlockBackend b ? b.blockCount() : 0;
    if (after != before) {
      capacityChanged(d);
      return "device " + d.name + ": " + before + " -> " + after + " blocks; initiators are "
          + "told CAPACITY DATA HAS CHANGED";
    }
    return "device " + d.name + ": size unchanged, " + after + " blocks";
  }

  @Override
  public synchronized ObjectInfo object(String path) {
    return new ManagementTree(this).object(path);
  }

  @Override
  public synchronized void set(String path, String attribute, String value) {
    change(new ManagementTree(this).set(path, attribute, value), "management", true, false,
        true);
  }

  @Override
  public synchronized String execute(String path, String command) {
    ManagementTree tree = new ManagementTree(this);
    Config next = tree.execute(path, command);
    if (next != null) {
      change(next, "management", true, false, true);
    }
    return tree.done();
  }

  @Override
  public ApplyReport apply(String text, String sourceName, boolean force, boolean dryRun) {
    return apply(text, sourceName, force, dryRun, true);
  }

  /** Applies a text; {@code persist}: whether to write the configuration file afterwards. */
  ApplyReport apply(String text, String sourceName, boolean force, boolean dryRun,
      boolean persist) {
    ConfigParser parser = new ConfigParser(sourceName);
    Config c;
    try {
      c = parser.parse(text);
    } catch (ConfigException e) {
      throw new ManagementException(e.getMessage());
    }
    ApplyReport r = change(c, sourceName, force, dryRun, persist);
    List<String> notApplied = new ArrayList<>(parser.warnings());
    notApplied.addAll(r.notApplied());
    return new ApplyReport(r.plan(), List.copyOf(notApplied), r.applied());
  }

  @Override
  public synchronized List<String> check(String text, String sourceName) {
    ApplyReport r = apply(text, sourceName, true, true);
    return r.notApplied();
  }

  @Override
  public synchronized String write(boolean allAttributes) {
    return ConfigWriter.write(running(allAttributes));
  }

  /**
   * The running configuration with the attributes to write, in their owners' order: the key
   * ones (those that differ from their defaults), or all; attributes of a handler or driver
   * that is not registered as they were written.
   */
  private Config running(boolean all) {
    List<Config.HandlerConf> hs = new ArrayList<>();
    for (var h : config.handlers()) {
      DeviceHandler handler = handlers.get(h.name());
      List<DeviceConf> ds = new ArrayList<>();
      for (DeviceConf d : h.devices()) {
        Map<String, String> values = new LinkedHashMap<>();
        try {
          values.putAll(coreAttributes(d, source));
          if (handler != null) {
            values.putAll(handlerAttributes(d, handler, source));
          }
        } catch (ConfigException e) {
          throw new IllegalStateException(e.getMessage(), e);
        }
        List<AttributeDescriptor> described = new ArrayList<>(DeviceIdentity.ATTRIBUTES);
        if (handler != null) {
          described.addAll(handler.deviceAttributes());
        }
        ds.add(d.with(selected(d.attributes(), values, described, all)));
      }
      hs.add(new Config.HandlerConf(h.name(), h.line(), List.copyOf(ds)));
    }
    List<DriverConf> drs = new ArrayList<>();
    for (DriverConf d : config.drivers()) {
      TargetDriver driver = drivers.get(d.name());
      List<TargetConf> ts = new ArrayList<>();
      try {
        for (TargetConf t : d.targets()) {
          Map<String, String> values = new LinkedHashMap<>(targetAttributes(t, driver, source));
          if (all) {
            values.put(Config.REL_TGT_ID, String.valueOf(ports.get(t.name())));
          }
          ts.add(t.with(selected(t.attributes(), values,
              driver == null ? List.of(ENABLED) : targetDescriptors(driver), all)));
        }
        ds(drs, d.with(selected(d.attributes(), driverAttributes(d, driver, source),
            driver == null ? List.of(ENABLED) : withEnabled(driver.attributes()), all)), ts);
      } catch (ConfigException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    }
    List<DeviceGroupConf> gs = new ArrayList<>();
    for (DeviceGroupConf g : config.deviceGroups()) {
      DeviceGroupConf live = g;
      for (TargetGroupConf t : g.targetGroups()) {
        Alua.PortGroup p = portGroup(g.name(), t.name());
        live = live.withTargetGroup(t.name(), t.with(p == null ? t.state() : p.state(),
            t.preferred()));
      }
      gs.add(live);
    }
    return new Config(List.copyOf(hs), List.copyOf(drs), List.copyOf(gs));
  }

  private static void ds(List<DriverConf> out, DriverConf d, List<TargetConf> targets) {
    out.add(new DriverConf(d.name(), d.line(), d.attributes(), List.copyOf(targets)));
  }

  /**
   * The attributes to write, in order: described ones in their descriptors' order, with their
   * values, when key (or all); then those no descriptor knows, as written, by name.
   */
  private static Map<String, Value> selected(Map<String, Value> written,
      Map<String, String> values, List<AttributeDescriptor> described, boolean all) {
    Map<String, Value> out = new LinkedHashMap<>();
    for (AttributeDescriptor a : described) {
      String v = values.get(a.name());
      if (v != null && !out.containsKey(a.name())
          && (all || !v.equals(a.defaultValue() == null ? null : a.canonical(a.defaultValue())))
          && !(a.multiValued() && v.isEmpty())) {
        out.put(a.name(), chain(AttributeDescriptor.values(v)));
      }
    }
    new java.util.TreeMap<>(written).forEach((k, v) -> {
      if (!out.containsKey(k) && described.stream().noneMatch(a -> a.name().equals(k))) {
        out.put(k, v);
      }
    });
    return java.util.Collections.unmodifiableMap(out);
  }

  /** One value per line, as written. */
  private static Value chain(List<String> values) {
    Value v = null;
    for (String text : values) {
      v = v == null ? new Value(text, 0) : v.repeated(new Value(text, 0));
    }
    return v == null ? new Value("", 0) : v;
  }
}
