package io.karst.api.device;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * An open device, as its handler serves it: a {@link BlockBackend} or a {@link CommandBackend}.
 */
@ConsumerType
public interface Backend extends AutoCloseable {

  /**
   * Changes a writable attribute of the open device in place, as SCST's {@code echo value
   * >attribute} does: a new size (core then raises CAPACITY DATA HAS CHANGED), another medium,
   * write-through switched on. Core has checked the value against the attribute's descriptor,
   * calls this only for an attribute the handler describes as writable, and never while another
   * call of it runs for this device; commands may be in flight.
   *
   * @param value canonical
   * @throws DeviceException when the value cannot take effect; the device is then as it was
   */
  default void set(String attribute, String value) throws DeviceException {
    throw new DeviceException("attribute " + attribute + " cannot be changed while the device "
        + "is open");
  }

  /**
   * Releases the storage. Core calls it once, after the last command on the device has
   * completed.
   */
  @Override
  void close();
}
