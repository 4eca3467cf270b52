package io.karst.api.scsi;

/** Task management functions (SAM-5 7), as a transport asks core for them. */
public enum TaskManagementFunction {
  /** Abort one task of the nexus, named by its tag. */
  ABORT_TASK,
  /** Abort the nexus's tasks on one logical unit. */
  ABORT_TASK_SET,
  /** Abort every nexus's tasks on one logical unit. */
  CLEAR_TASK_SET,
  /** Abort every task on one logical unit and reset its state (reservations). */
  LOGICAL_UNIT_RESET,
  /** A logical unit reset of every logical unit the nexus sees. */
  TARGET_RESET
}
