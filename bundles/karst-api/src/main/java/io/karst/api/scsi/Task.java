package io.karst.api.scsi;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A SCSI task (SAM-5 8.1): one command sent to one logical unit through one I_T nexus, from the
 * moment a target driver creates it with {@link io.karst.api.target.Session#newTask} until core
 * has handed it back through {@link TaskTransport#complete}.
 *
 * <p>The driver fills the task in, {@linkplain #submit() submits} it, provides Data-Out when core
 * asks, and reads status, sense and Data-In once it is complete. A command-level backend (one
 * that executes CDBs itself) reads the CDB and Data-Out and finishes the task with
 * {@link #complete(Status, Sense)}.
 */
@ProviderType
public interface Task {

  /** The tag the initiator gave this task (iSCSI: the Initiator Task Tag). */
  long tag();

  /** The logical unit number the command addresses, as REPORT LUNS lists it. */
  long lun();

  /** The command descriptor block. Callers must not change it. */
  byte[] cdb();

  TaskAttribute attribute();

  /** The direction the transport announced for this command. */
  DataDirection direction();

  /**
   * The number of bytes the initiator expects to transfer, as the transport announced it
   * (iSCSI: Expected Data Transfer Length).
   */
  int expectedTransferLength();

  /**
   * The number of bytes the command itself transfers, from its CDB, once core has decoded it;
   * the transport compares it with {@link #expectedTransferLength()} to report residuals.
   */
  int transferLength();

  /** Hands the task to core. Called once. */
  void submit();

  /** The driver has filled the buffer given to {@link TaskTransport#receiveDataOut}. */
  void dataOutReceived();

  /**
   * The Data-Out cannot be received; core ends the task without touching the medium, with
   * CHECK CONDITION and the sense of {@code cause} when it is a {@link SenseException} (an
   * iSCSI data digest error: PROTOCOL SERVICE CRC ERROR), else ABORTED COMMAND, DATA PHASE
   * ERROR.
   */
  void dataOutFailed(Throwable cause);

  /** The Data-Out received, position 0 to its limit; for command-level backends. */
  ByteBuffer dataOut();

  /**
   * A buffer for {@code length} bytes of Data-In, from the transport; for command-level
   * backends. Whatever lies between position 0 and the buffer's position when the task
   * completes is sent.
   */
  ByteBuffer allocateDataIn(int length);

  /** Finishes the task; for command-level backends. {@code sense} only with CHECK CONDITION. */
  void complete(Status status, Sense sense);

  /** The status, once complete. */
  Status status();

  /**
   * Whether the initiator is to be told the task's status. False for a task that task
   * management aborted without a status for its nexus to see (SAM-5 5.6): one aborted by a
   * function of its own nexus, by a reset, or by another nexus while TAS in the control mode
   * page is zero; the transport then sends no response. True for every other task, including
   * one another nexus aborted while TAS is one, which ends with TASK ABORTED status.
   */
  default boolean reported() {
    return status() != Status.TASK_ABORTED;
  }

  /** The sense data when the status is CHECK CONDITION, else null. */
  Sense sense();

  /** The Data-In to send, position 0 to its limit, or null when there is none. */
  ByteBuffer dataIn();

  /**
   * The transport has handed the response (and the Data-In) to the network. Drivers call it
   * once, after {@link TaskTransport#complete}, so that core can time the transmit stage; a
   * driver that never calls it only leaves that stage unmeasured.
   */
  void transmitted();
}
