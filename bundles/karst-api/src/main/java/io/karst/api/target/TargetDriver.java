package io.karst.api.target;

import io.karst.api.mgmt.AttributeDescriptor;
import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A target driver (SCST's target driver, LIO's fabric module), registered as an OSGi service.
 * Core tracks drivers as a whiteboard: once the configuration enables a driver, core starts it
 * with a {@link DriverContext} that lists its targets and opens sessions; when the driver's
 * service goes away or the driver is disabled, core stops it, and the driver ends its sessions
 * cleanly. Targets, LUNs and access rules belong to the configuration, not to the driver, so
 * they are there again when the driver comes back.
 */
@ConsumerType
public interface TargetDriver {

  /** The driver's name as configurations use it, e.g. {@code iscsi}. */
  String name();

  /** The driver's own attributes (for iSCSI, the portals it listens on). */
  List<AttributeDescriptor> attributes();

  /** The attributes each target of this driver has, beyond core's. */
  List<AttributeDescriptor> targetAttributes();

  /**
   * The read-only attributes each session of this driver shows beyond core's (iSCSI: the
   * session identifier and the negotiated keys), their values given by {@link
   * SessionEvents#details()}. None by default.
   */
  default List<AttributeDescriptor> sessionAttributes() {
    return List.of();
  }

  /**
   * The read-only attributes each connection of a session shows (iSCSI: the CID, the
   * initiator's address, the state), their values given by {@link SessionEvents#details()}.
   * None by default.
   */
  default List<AttributeDescriptor> connectionAttributes() {
    return List.of();
  }

  /**
   * Checks the driver's own attributes before core applies a configuration that would restart
   * the running driver with them or change some of them in place ({@link #set}), so that a
   * value the driver would refuse at {@link #start} (iSCSI: a CHAP secret of discovery
   * sessions too short) refuses the change instead, with nothing applied, rather than leave
   * the driver stopped. Only cheap checks belong here: core
   * calls this under its management lock. Everything is accepted by default.
   *
   * @param attributes the driver's attributes as the configuration would give them to {@link
   *     DriverContext#attributes()}: canonical, with defaults filled in
   * @throws IllegalArgumentException naming the driver, the attribute and the problem
   */
  default void checkAttributes(Map<String, String> attributes) {}

  /**
   * Changes a writable attribute of the running driver in place, as a device's {@code
   * Backend.set} does for a device, so that the change ends no session (iSCSI: listening on
   * other portals). Core calls it for each attribute the driver describes as writable whose
   * value a change alters, once {@link #checkAttributes} accepted the driver's attributes as
   * the change makes them, before it applies anything else of the change, under its
   * management lock, and never while {@link #start}, {@link #stop} or another call of this
   * runs. When every changed attribute has taken effect, {@link DriverContext#attributes()}
   * shows the new values: a driver that reads an attribute there at each use (iSCSI: the
   * discovery CHAP users, at each login) has nothing to do here. A change of an attribute
   * that is not writable restarts the driver instead, which ends its sessions.
   *
   * @param value canonical; null when the change takes out an attribute without a default
   * @throws Exception when the value cannot take effect (iSCSI: a portal address in use),
   *     the driver left as it was; core then refuses the whole change, and sets back what it
   *     had set of it
   */
  default void set(String attribute, String value) throws Exception {
    throw new UnsupportedOperationException("attribute " + attribute + " of driver " + name()
        + " cannot be changed while it runs");
  }

  /**
   * Checks a target that a configuration adds to the running driver or changes there, before
   * core applies anything, so that a value the driver would refuse at its next login (iSCSI: a
   * CHAP secret too short, a negotiation key out of range) refuses the change, with nothing
   * applied. Core calls this for every new or changed target of a running driver, and for
   * every target when the driver restarts with new attributes; only cheap checks belong here,
   * as core holds its management lock. Everything is accepted by default.
   *
   * @param name the target's name
   * @param attributes the target's attributes as {@link Target#attributes()} would show them
   * @param driverAttributes the driver's attributes that go with them (a target's value may
   *     be bounded by one of the driver's)
   * @throws IllegalArgumentException naming the target, the attribute and the problem
   */
  default void checkTarget(String name, Map<String, String> attributes,
      Map<String, String> driverAttributes) {}

  /**
   * The driver's targets changed while it runs: one was added, removed, enabled, disabled, or
   * had its attributes changed; {@link DriverContext#targets()} shows them as they are now. A
   * driver that announces its targets elsewhere (iSCSI: to an iSNS server) updates that
   * announcement. Core calls this under its management lock, so the driver hands any work
   * that waits to a thread of its own and returns. Nothing is done by default.
   */
  default void targetsChanged() {}

  /**
   * Starts serving: for a network transport, listen. Called once before any {@link #stop()},
   * never on a network thread.
   *
   * @throws Exception when the driver cannot serve (a portal address in use, say); core logs it
   *     and keeps the driver stopped
   */
  void start(DriverContext context) throws Exception;

  /**
   * Stops serving: stop accepting, tell initiators (iSCSI: ask for logout where possible), end
   * every session opened through the context, and return once they are closed.
   */
  void stop();
}
