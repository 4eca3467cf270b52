package io.karst.api.scsi;

/** Which way a task's data moves, seen from the initiator. */
public enum DataDirection {
  /** No data transfer. */
  NONE,
  /** Data-In: from the device server to the initiator. */
  READ,
  /** Data-Out: from the initiator to the device server. */
  WRITE,
  /** Both, as a bidirectional command does. */
  BIDIRECTIONAL
}
