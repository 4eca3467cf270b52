package io.karst.core.internal;

/**
 * One entry of a LUN map: a logical unit number giving access to a device, and, when the
 * device is in an ALUA device group and the target in one of its target port groups, that
 * group (else {@code alua} is null).
 */
record Lun(long number, Device device, boolean readOnly, Alua.Access alua) {

  Lun(long number, Device device, boolean readOnly) {
    this(number, device, readOnly, null);
  }

  /**
   * Whether writes through this LUN are refused: by the LUN, by the device, or by software
   * write protection (SWP in the control mode page).
   */
  boolean writeProtected() {
    return readOnly || device.readOnly() || device.softwareWriteProtect;
  }
}
