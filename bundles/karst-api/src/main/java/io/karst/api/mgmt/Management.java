package io.karst.api.mgmt;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The running system, read-only, as snapshots: what the shell lists and what tools read. Core
 * registers it as an OSGi service.
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
}
