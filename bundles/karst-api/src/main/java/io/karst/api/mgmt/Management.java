package io.karst.api.mgmt;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The running system as snapshots, what the shell lists and what tools read, and the switches
 * of its measurement. Core registers it as an OSGi service.
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
