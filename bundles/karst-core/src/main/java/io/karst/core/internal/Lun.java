package io.karst.core.internal;

/** One entry of a LUN map: a logical unit number giving access to a device. */
record Lun(long number, Device device, boolean readOnly) {

  /** Whether writes through this LUN are refused, by the LUN or by the device. */
  boolean writeProtected() {
    return readOnly || device.readOnly();
  }
}
