package io.karst.api.mgmt;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The running system: snapshots of it, what the shell lists and what tools read; the
 * self-documenting management tree, through which every change is made; the configuration
 * file's apply, write and check; and the switches of measurement. Core registers it as an
 * OSGi service.
 *
 * <p><b>The tree</b> (SCST's sysfs, typed). Paths are absolute, {@code /}-separated:
 * <pre>
 * /handlers/&lt;handler&gt;/&lt;device&gt;       /targets/&lt;driver&gt;/&lt;target&gt;/luns/&lt;lun&gt;
 * /devices/&lt;device&gt;                   /targets/&lt;driver&gt;/&lt;target&gt;/ini_groups/&lt;group&gt;/{luns,initiators}
 * /targets/&lt;driver&gt;                   /targets/&lt;driver&gt;/&lt;target&gt;/sessions/&lt;initiator&gt;/&lt;connection&gt;
 * /device_groups/&lt;dg&gt;/{devices,target_groups/&lt;tg&gt;}
 * </pre>
 * Every node lists its attributes, described by the driver, handler or core that owns them,
 * and the management commands it accepts ({@link #object}). A change, by {@link #set} or
 * {@link #execute}, is checked in full before anything is touched: a rejected change leaves
 * the system as it was and its {@link ManagementException} says why. A change that succeeds
 * is written to the configuration file at once.
 *
 * <p>Attribute maps hold canonical values: a multi-valued attribute's values are separated by
 * line feeds ({@link AttributeDescriptor#values}), and secrets are {@linkplain
 * AttributeDescriptor#redacted redacted}.
 */
@ProviderType
public interface Management {

  List<HandlerInfo> handlers();

  List<DeviceInfo> devices();

  List<DriverInfo> drivers();

  List<TargetInfo> targets();

  List<SessionInfo> sessions();

  /** The ALUA device groups with their target port groups, in configuration order. */
  List<DeviceGroupInfo> deviceGroups();

  /**
   * Moves a target port group to another asymmetric access state: an implicit ALUA transition,
   * as an administrator or a cluster manager makes it on failover.
   *
   * @param state one of active, nonoptimized, standby, unavailable, offline, transitioning
   * @throws IllegalArgumentException naming the device group, target group or state that is
   *     unknown
   */
  void targetGroupState(String deviceGroup, String targetGroup, String state);

  /**
   * The I/O counters of every device and every open session, and their latency by stage while
   * {@linkplain #latencyMeasurement() latency measurement} is on.
   */
  List<StatisticsInfo> statistics();

  /** Whether the command path times each command's stages (off by default: it costs a little). */
  boolean latencyMeasurement();

  /** Switches latency measurement on or off at runtime; counters are always kept. */
  void latencyMeasurement(boolean on);

  /** Sets every counter and latency histogram back to zero. */
  void resetStatistics();

  /**
   * One node of the management tree: its attributes, the commands it accepts and the names of
   * its children.
   *
   * @throws ManagementException when nothing is at {@code path}, naming the nearest node that
   *     exists
   */
  ObjectInfo object(String path);

  /**
   * Sets a writable attribute of a node, as SCST's {@code echo value >attribute}; for a
   * multi-valued attribute, {@code value} holds every value, separated by line feeds.
   *
   * @throws ManagementException when the node or attribute does not exist, the attribute is not
   *     writable, or the value is refused; nothing changed then
   */
  void set(String path, String attribute, String value);

  /**
   * Runs a management command of a node, as SCST's {@code echo "command" >mgmt}: for instance
   * {@code add_device disk1 filename=/srv/disk1.img; size=10G} on {@code /handlers/vdisk_fileio},
   * or {@code add 0 disk1 read_only=1} on {@code /targets/iscsi/<target>/luns}. The commands a
   * node accepts, with their syntax, are in its {@link ObjectInfo#commands()}.
   *
   * @return what was done, one line for the administrator
   * @throws ManagementException when the command is unknown, malformed or refused; nothing
   *     changed then
   */
  String execute(String path, String command);

  /**
   * Applies a configuration in scst.conf syntax as a difference to the running system, in
   * SCST's order (devices, targets, LUNs, groups, initiators, ALUA, enabling targets, enabling
   * drivers), touching only what differs: an unchanged device is not reopened and no session
   * of an unchanged target is dropped.
   *
   * @param source names the text in messages ({@code scst.conf:12: ...})
   * @param force whether objects missing from the text are removed and create-time attributes
   *     changed (by recreating their object); without it, those are reported and left alone
   * @param dryRun whether to only report the plan
   * @throws ManagementException naming the source, line and problem of a text that does not
   *     parse or does not check; nothing changed then
   */
  ApplyReport apply(String text, String source, boolean force, boolean dryRun);

  /**
   * The running configuration in scst.conf syntax: key attributes only (those that differ from
   * their defaults), or every attribute.
   */
  String write(boolean allAttributes);

  /**
   * Checks a configuration in scst.conf syntax without applying it.
   *
   * @return warnings (devices of handlers and targets of drivers not registered, say)
   * @throws ManagementException naming the source, line and problem of the first error
   */
  List<String> check(String text, String source);

  /**
   * A node of the management tree.
   *
   * @param path the node's absolute path
   * @param kind what the node is: handler, device, driver, target, luns, lun, ini_groups,
   *     ini_group, initiators, initiator, sessions, session, connection (of a session, as
   *     its driver shows it), device_groups, device_group,
   *     target_groups, target_group, target_port (a target of a target group), {@code root}
   *     for {@code /}, or a container of these ({@code handlers}, {@code devices},
   *     {@code targets}: the first level, and a device group's devices)
   * @param attributes in the order their owner describes them
   * @param commands the management commands the node accepts
   * @param children the names of the child nodes, in configuration order
   */
  record ObjectInfo(String path, String kind, List<AttributeInfo> attributes,
      List<CommandInfo> commands, List<String> children) {}

  /**
   * An attribute of a node, as its descriptor tells it, with its value now.
   *
   * @param value canonical; a secret {@linkplain AttributeDescriptor#redacted redacted}
   * @param defaultValue null when it has none
   * @param key whether the value differs from the default, so that a saved configuration holds
   *     it (SCST's {@code [key]} mark)
   */
  record AttributeInfo(String name, AttributeType type, String value, String defaultValue,
      boolean writable, boolean createParameter, boolean key, boolean multiValued,
      String description) {}

  /**
   * A management command a node accepts.
   *
   * @param name as typed, e.g. {@code add_device}
   * @param usage the whole syntax, e.g. {@code add_device NAME [attribute=value; ...]}
   * @param description what it does
   */
  record CommandInfo(String name, String usage, String description) {}

  /**
   * What {@link #apply} did or, in a dry run, would do.
   *
   * @param plan one line per step, in the order taken
   * @param notApplied what differs but was left alone without {@code force}, and parts of the
   *     text for handlers or drivers that are not registered (kept, applied when they arrive)
   * @param applied false for a dry run
   */
  record ApplyReport(List<String> plan, List<String> notApplied, boolean applied) {}

  /** A device handler known to the configuration or registered as a service. */
  record HandlerInfo(String name, boolean registered, List<AttributeDescriptor> deviceAttributes) {}

  /** A device: its handler, whether it is open (online), and its attributes. */
  record DeviceInfo(
      String name,
      String handler,
      DeviceState state,
      String stateDetail,
      long blockCount,
      int blockSize,
      java.util.Map<String, String> attributes) {}

  /** Where a device stands. */
  enum DeviceState {
    /** Open and serving commands. */
    ONLINE,
    /** Configured, but its handler is not registered or could not open it: LUNs answer NOT READY. */
    OFFLINE
  }

  /** A target driver known to the configuration or registered as a service. */
  record DriverInfo(
      String name, boolean registered, boolean enabled, boolean started,
      java.util.Map<String, String> attributes) {}

  /** A target with its LUNs. */
  record TargetInfo(
      String driver, String name, boolean enabled, java.util.Map<String, String> attributes,
      List<LunInfo> luns) {}

  /** A LUN of a target: the device it maps to. */
  record LunInfo(long lun, String device, boolean readOnly) {}

  /** An open I_T nexus. */
  record SessionInfo(String driver, String target, String initiator, long commands) {}

  /** An ALUA device group: devices that share target port groups. */
  record DeviceGroupInfo(String name, List<String> devices, List<TargetGroupInfo> targetGroups) {}

  /**
   * A target port group of a device group: its identifier, its asymmetric access state (SCST's
   * names: active, nonoptimized, standby, unavailable, offline, transitioning), whether it is
   * preferred, and its target ports.
   */
  record TargetGroupInfo(String name, int groupId, String state, boolean preferred,
      List<TargetPortInfo> targets) {}

  /** A target port of a target group: a target's name and its relative port identifier. */
  record TargetPortInfo(String target, int relativeTargetPortId) {}

  /** What a set of statistics describes. */
  enum Scope {
    /** A device: every command that reached it, through any LUN and session. */
    DEVICE,
    /** An I_T nexus: every command it carried, whatever LUN it addressed. */
    SESSION
  }

  /**
   * The stages of a command's life, as SCST's latency measurement splits it.
   */
  enum Stage {
    /** From the command's arrival to its submission, plus the time spent receiving Data-Out. */
    RECEIVE,
    /** From submission until core dispatches it to the device (lookup, checks, waiting). */
    QUEUE,
    /** At the device: from dispatch until the status is known, Data-Out time excluded. */
    EXECUTE,
    /** From the status being known until the transport has handed the response to the network. */
    TRANSMIT
  }

  /**
   * Counters of one device or session since it appeared or since the last reset.
   *
   * @param name the device's name, or for a session its driver, target and initiator
   * @param commands commands completed
   * @param readBytes bytes of Data-In sent
   * @param writtenBytes bytes of Data-Out received by commands that completed with GOOD
   * @param errors commands that completed with a status other than GOOD
   * @param latency one entry per stage with at least one sample, empty while measurement is off
   *     and nothing was measured
   */
  record StatisticsInfo(Scope scope, String name, long commands, long readBytes,
      long writtenBytes, long errors, List<StageLatency> latency) {}

  /**
   * The latency of one stage: how many commands were timed and the distribution of their
   * times, in nanoseconds. Percentiles are upper bounds of histogram buckets (within 10%).
   */
  record StageLatency(Stage stage, long count, long meanNanos, long minNanos, long p50Nanos,
      long p99Nanos, long p999Nanos, long maxNanos) {}
}
