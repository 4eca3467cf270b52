package io.karst.api.scsi;

/** How a task management function ended (SAM-5 7.1). */
public enum TaskManagementResponse {
  /** Done: no task it ended can touch the medium any more. */
  FUNCTION_COMPLETE,
  /** ABORT TASK named a task the nexus does not have (any more). */
  TASK_DOES_NOT_EXIST,
  /** The function named a logical unit the nexus does not see. */
  LOGICAL_UNIT_DOES_NOT_EXIST,
  /** The device server does not do this function. */
  FUNCTION_NOT_SUPPORTED
}
