package io.karst.api.scsi;

/** Task attributes (SAM-5 8.5): how a task is ordered against the others of its task set. */
public enum TaskAttribute {
  SIMPLE,
  ORDERED,
  HEAD_OF_QUEUE,
  ACA
}
