package io.karst.api.device;

import io.karst.api.mgmt.AttributeDescriptor;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A device handler (SCST's dev handler, LIO's backend): registered as an OSGi service, it opens
 * the devices that the configuration assigns to it by {@link #name()}.
 *
 * <p>Core tracks handlers as a whiteboard. When a handler's service goes away, its devices stay
 * configured but go offline (their LUNs answer NOT READY); when it comes back, core opens the
 * same devices again with the same attributes.
 */
@ConsumerType
public interface DeviceHandler {

  /** The handler's name as configurations use it, e.g. {@code vdisk_fileio}. */
  String name();

  /**
   * The attributes of this handler's devices, beyond the ones core keeps for every device
   * (identification such as {@code t10_vend_id}, {@code usn}, {@code naa_id}).
   */
  List<AttributeDescriptor> deviceAttributes();

  /**
   * Opens a device. Blocking work (opening a file, creating it) is allowed here; core never
   * calls this on a network thread.
   *
   * @param config the device's name, checked attributes and the services core lends it
   * @return a {@link BlockBackend} or a {@link CommandBackend}
   * @throws DeviceException with a message an administrator can act on (say, the missing file)
   */
  Backend open(DeviceConfig config) throws DeviceException;
}
