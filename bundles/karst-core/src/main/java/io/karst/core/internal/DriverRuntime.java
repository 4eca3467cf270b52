package io.karst.core.internal;

import io.karst.api.target.DriverContext;
import io.karst.api.target.Session;
import io.karst.api.target.SessionEvents;
import io.karst.api.target.SessionException;
import io.karst.api.target.SessionException.Reason;
import io.karst.api.target.Target;
import io.karst.api.target.TargetDriver;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A started target driver: the {@link DriverContext} core lends it, with its checked
 * attributes, its targets and the sessions opened through it. The attributes and targets are
 * live views: management replaces each map as a whole ({@link #attributes(Map)}, {@link
 * #targets(Map)}), and each call of {@link #attributes()}, {@link #targets()} or {@link
 * #target} sees the map of that moment.
 */
final class DriverRuntime implements DriverContext {

  final TargetDriver driver;
  private volatile Map<String, String> attributes;
  private volatile Map<String, CoreTarget> targets;
  final Set<CoreSession> sessions = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean measureLatency;
  private volatile boolean accepting = true;

  DriverRuntime(TargetDriver driver, Map<String, String> attributes,
      Map<String, CoreTarget> targets, AtomicBoolean measureLatency) {
    this.driver = driver;
    this.measureLatency = measureLatency;
    this.attributes = attributes;
    this.targets = targets;
  }

  @Override
  public Map<String, String> attributes() {
    return attributes;
  }

  @Override
  public List<Target> targets() {
    return List.copyOf(targets.values());
  }

  @Override
  public Optional<Target> target(String name) {
    return Optional.ofNullable(targets.get(name));
  }

  @Override
  public Session openSession(String target, String initiator, SessionEvents events)
      throws SessionException {
    return openSession(target, initiator, null, events);
  }

  @Override
  public Session openSession(String target, String initiator, byte[] transportId,
      SessionEvents events) throws SessionException {
    TransportId port;
    try {
      port = TransportId.ofSession(initiator, transportId);
    } catch (IllegalArgumentException e) {
      throw new SessionException(Reason.NOT_AUTHORIZED, e.getMessage());
    }
    CoreTarget t = targets.get(target);
    if (!accepting || t == null) {
      throw new SessionException(Reason.TARGET_NOT_FOUND,
          "no target " + target + " on driver " + driver.name());
    }
    if (!t.enabled()) {
      throw new SessionException(Reason.TARGET_DISABLED, "target " + target + " is disabled");
    }
    var luns = t.lunsFor(initiator);
    if (luns.isEmpty()) {
      throw new SessionException(Reason.NOT_AUTHORIZED,
          "initiator " + initiator + " has no LUNs on target " + target);
    }
    CoreSession session =
        new CoreSession(driver.name(), t, initiator, port, luns, events, sessions::remove,
            measureLatency);
    UnitAttention.attach(session);
    sessions.add(session);
    // Management may have changed the target's LUNs or groups while the session was made; it
    // updates the sessions in the set, so one that joined late catches up here.
    var now = t.lunsFor(initiator);
    if (!now.equals(luns)) {
      session.update(now);
    }
    if (!accepting) {
      session.close();
      throw new SessionException(Reason.TARGET_NOT_FOUND, "driver " + driver.name()
          + " is stopping");
    }
    return session;
  }

  /** The driver's attributes after a change that set some of them in place. */
  void attributes(Map<String, String> next) {
    attributes = next;
  }

  Map<String, CoreTarget> targetMap() {
    return targets;
  }

  /** Replaces the targets the driver sees, in configuration order. */
  void targets(Map<String, CoreTarget> next) {
    targets = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(next));
  }

  /** Stops the driver and closes whatever sessions it left open. */
  void stop() {
    accepting = false;
    try {
      driver.stop();
    } finally {
      for (CoreSession s : List.copyOf(sessions)) {
        s.close();
      }
    }
  }
}
