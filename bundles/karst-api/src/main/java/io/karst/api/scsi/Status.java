package io.karst.api.scsi;

/**
 * SCSI status codes (SAM-5 table 37). The byte value is what a transport puts on the wire.
 */
public enum Status {
  GOOD(0x00),
  CHECK_CONDITION(0x02),
  CONDITION_MET(0x04),
  BUSY(0x08),
  RESERVATION_CONFLICT(0x18),
  TASK_SET_FULL(0x28),
  ACA_ACTIVE(0x30),
  TASK_ABORTED(0x40);

  private final int code;

  Status(int code) {
    this.code = code;
  }

  /** The status byte as SAM-5 defines it. */
  public int code() {
    return code;
  }
}
