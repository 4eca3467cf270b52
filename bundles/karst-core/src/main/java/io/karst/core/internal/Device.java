package io.karst.core.internal;

import io.karst.api.device.Backend;
import io.karst.api.device.BlockBackend;
import io.karst.api.device.CommandBackend;
import io.karst.api.mgmt.Management.DeviceState;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A configured device: its attributes and identity, which outlive its handler, and its open
 * backend, which does not.
 *
 * <p>Commands {@linkplain #acquire acquire} the backend for as long as they use it. Taking a
 * device offline ({@link #detach}) first stops new acquisitions, so new commands see NOT READY
 * at once, then waits for the commands holding the backend before closing it: an initiator
 * never sees a command fail half-way because a bundle stopped.
 */
final class Device {

  /** The device as configured; replaced when management changes it. */
  volatile Config.DeviceConf conf;
  final String name;
  /** Core's attributes of the device, canonical, with defaults. */
  volatile Map<String, String> coreAttributes;
  /** Replaced as a whole when an identification attribute changes. */
  volatile DeviceIdentity identity;
  /** The persistent reservations of the device, which outlive handlers and restarts. */
  final PrState pr;
  /** The tasks holding the backend: what task management aborts and detach waits for. */
  final java.util.Set<CoreTask> tasks = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** The nexuses that reach this device, for {@link UnitAttention} to tell of changes. */
  final java.util.Set<CoreSession> nexuses = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Whether resets establish BUS DEVICE RESET FUNCTION OCCURRED (the reset_ua attribute). */
  volatile boolean resetUnitAttention;
  /** Orders the tasks by task attribute and limits each nexus's share. */
  final TaskSet taskSet;
  /** The medium, when the device is removable. */
  final MediumRemoval.Medium medium = new MediumRemoval.Medium();
  /** The LBA ranges commands are using, which makes atomic operations atomic. */
  final RangeLock ranges = new RangeLock();
  /**
   * SWP of the control mode page (SPC-4 7.5.8): set by MODE SELECT from any nexus, it write
   * protects the logical unit for all of them until cleared.
   */
  volatile boolean softwareWriteProtect;
  /**
   * D_SENSE of the control mode page: sense data returned with CHECK CONDITION status is in
   * descriptor format rather than fixed format.
   */
  volatile boolean descriptorSense;
  /**
   * QERR of the control mode page: which tasks a command ending with CHECK CONDITION aborts
   * ({@link TaskManagement#checkCondition}): none (0), all of the task set (1), those of its
   * own nexus (3).
   */
  volatile int queueErrorManagement;
  /**
   * TAS of the control mode page: tasks aborted by another nexus's action end with TASK
   * ABORTED status, rather than unseen with COMMANDS CLEARED BY ANOTHER INITIATOR.
   */
  volatile boolean taskAbortedStatus;
  /**
   * WCE as an initiator selected it with MODE SELECT, or as it was saved, which each newly
   * opened backend is switched to; null while it is as configured.
   */
  volatile Boolean writeCache;
  /** WCE as the device is configured: the backend's when it opened (the default value). */
  volatile boolean configuredWriteCache = true;
  /** The informational exceptions control mode page. */
  final InformationalExceptions exceptions = new InformationalExceptions();
  /** The mode parameters MODE SELECT saved (SP), which outlive restarts. */
  final ModeStore modes;
  /** The copy manager's copies (EXTENDED COPY), per nexus. */
  final CopyResults.Manager copies = new CopyResults.Manager();
  /** Counters and latency of every command that reached the device. */
  final IoStatistics statistics = new IoStatistics();
  /** The sanitize operation in progress, or the failure mode a failed one left. */
  final Sanitize.State sanitize = new Sanitize.State();

  private volatile Backend backend;
  /**
   * The peripheral device type INQUIRY reports: direct access for a block backend, the type a
   * command backend names. Kept while the handler is away, so the unit still identifies itself.
   */
  private volatile int peripheralDeviceType = Spc.DIRECT_ACCESS;
  /**
   * Whether core's copy manager serves the unit: a block backend's, for which core executes
   * EXTENDED COPY; a command backend executes its own commands. Kept while the handler is away.
   */
  private volatile boolean copyManager = true;
  /** Set while {@link #detach} waits, so that releases wake it only then. */
  private volatile boolean detaching;
  /** The nexus holding an SPC-2 reservation on the device, or null. */
  private volatile CoreSession reservation;
  private volatile Map<String, String> handlerAttributes = Map.of();
  private volatile String detail;
  private volatile ExecutorService io;

  Device(Config.DeviceConf conf, Map<String, String> coreAttributes, DeviceIdentity identity,
      PrState pr, ModeStore modes) {
    this.conf = conf;
    this.pr = pr;
    this.modes = modes;
    this.name = conf.name();
    this.coreAttributes = coreAttributes;
    this.identity = identity;
    this.resetUnitAttention = "1".equals(coreAttributes.get(DeviceIdentity.RESET_UA));
    this.taskSet = new TaskSet(identity.maxTgtDevCommands());
    this.detail = "handler " + conf.handler() + " is not registered";
    ModePages.restoreSaved(this); // SPC-4 6.9: at power on, the current values are the saved
  }

  /** The name of the handler that serves the device. */
  String handler() {
    return conf.handler();
  }

  /** Takes changed core attributes: the identity INQUIRY reports changes with them. */
  void identify(Config.DeviceConf changed, Map<String, String> core, DeviceIdentity id) {
    conf = changed;
    coreAttributes = core;
    identity = id;
    resetUnitAttention = "1".equals(core.get(DeviceIdentity.RESET_UA));
    taskSet.depth(id.maxTgtDevCommands());
  }

  /** Records a handler attribute changed in place on the open backend. */
  void handlerAttributeChanged(Config.DeviceConf changed, String attribute, String value) {
    conf = changed;
    Map<String, String> attributes = new java.util.LinkedHashMap<>(handlerAttributes);
    if (value == null) {
      attributes.remove(attribute); // taken out of the configuration, and without a default
    } else {
      attributes.put(attribute, value);
    }
    handlerAttributes = Map.copyOf(attributes);
  }

  /** The attributes the handler checked when it last opened the device. */
  Map<String, String> handlerAttributes() {
    return handlerAttributes;
  }

  /**
   * The backend for a task, which joins {@link #tasks} until {@link #release}; or null when the
   * device is offline.
   *
   * <p>No lock on this path: the task joins the set before it reads the backend, and
   * {@link #detach} clears the backend before it reads the set, so either the task sees no
   * backend and leaves, or detach sees the task and waits for it.
   */
  Backend acquire(CoreTask task) {
    tasks.add(task);
    Backend b = backend;
    if (b == null) {
      release(task);
    }
    return b;
  }

  void release(CoreTask task) {
    if (tasks.remove(task) && detaching && tasks.isEmpty()) {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  /** Whether writes are refused on every LUN of the device. */
  boolean readOnly() {
    return identity.readOnly() || (backend instanceof BlockBackend b && b.readOnly());
  }

  /** The peripheral device type INQUIRY reports (SPC-4 6.6.2). */
  int peripheralDeviceType() {
    return peripheralDeviceType;
  }

  /**
   * Whether core's copy manager (EXTENDED COPY, RECEIVE COPY RESULTS, SPC-4 6.4) serves the
   * unit: what INQUIRY's 3PC bit and its Third-party Copy VPD page both report.
   */
  boolean copyManager() {
    return copyManager;
  }

  /** Whether the medium is removable (RMB): by the {@code removable} attribute, or an MMC unit. */
  boolean removable() {
    return identity.removable() || peripheralDeviceType == CommandBackend.MMC;
  }

  void attach(Backend opened, Map<String, String> attributes, ExecutorService executor) {
    synchronized (this) {
      peripheralDeviceType = opened instanceof CommandBackend c && c.peripheralDeviceType() >= 0
          ? c.peripheralDeviceType() : Spc.DIRECT_ACCESS;
      copyManager = !(opened instanceof CommandBackend);
      io = executor;
      handlerAttributes = attributes;
      if (opened instanceof BlockBackend b) {
        ModePages.opened(this, b);
      }
      backend = opened;
      detail = "";
    }
  }

  void failed(String why) {
    detail = why;
  }

  /**
   * Takes the device offline: no new command gets the backend; waits up to {@code timeoutMillis}
   * for the commands that hold it, then closes it and the device's I/O threads.
   */
  void detach(String why, long timeoutMillis) throws InterruptedException {
    Backend closing;
    synchronized (this) {
      closing = backend;
      detaching = true;
      backend = null;
      detail = why;
      try {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long left;
        while (!tasks.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        }
      } finally {
        detaching = false;
      }
    }
    if (closing != null) {
      closing.close();
    }
    ExecutorService threads = io;
    io = null;
    if (threads != null) {
      threads.shutdown();
    }
  }

  CoreSession reservation() {
    return reservation;
  }

  /** Reserves the device for a nexus; false when another nexus holds it. */
  synchronized boolean reserve(CoreSession session) {
    if (reservation != null && reservation != session) {
      return false;
    }
    reservation = session;
    return true;
  }

  /** Drops any SPC-2 reservation, as a logical unit reset does. */
  void clearReservation() {
    reservation = null;
  }

  /** Releases the device if {@code session} holds it. */
  synchronized void release(CoreSession session) {
    if (reservation == session) {
      reservation = null;
    }
  }

  DeviceState state() {
    return backend != null ? DeviceState.ONLINE : DeviceState.OFFLINE;
  }

  String detail() {
    return detail;
  }

  Backend backend() {
    return backend;
  }

  /** The device's I/O threads, or null while it is offline. */
  ExecutorService ioExecutor() {
    return io;
  }
}
