package io.karst.api.target;

import io.karst.api.scsi.DataDirection;
import io.karst.api.scsi.Task;
import io.karst.api.scsi.TaskAttribute;
import io.karst.api.scsi.TaskManagementFunction;
import io.karst.api.scsi.TaskManagementResponse;
import io.karst.api.scsi.TaskTransport;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An I_T nexus: one initiator port logged in to one target port. Tasks created here see the
 * LUNs that the target's access rules give this initiator.
 */
@ProviderType
public interface Session {

  Target target();

  /** The initiator port's name as given to {@link DriverContext#openSession}. */
  String initiator();

  /**
   * Creates a task for a command received on this nexus; the driver then
   * {@linkplain Task#submit() submits} it.
   *
   * @param transport how core reaches the driver about this task
   * @param tag the initiator's task tag
   * @param lun the addressed LUN in REPORT LUNS form (single level: the LUN number)
   * @param cdb the CDB, which the task keeps without copying
   * @param attribute the task attribute
   * @param direction the data direction the transport announced
   * @param expectedLength the byte count the transport announced
   */
  Task newTask(
      TaskTransport transport,
      long tag,
      long lun,
      byte[] cdb,
      TaskAttribute attribute,
      DataDirection direction,
      int expectedLength);

  /**
   * Performs a task management function. Tasks it ends complete through their transports with
   * status {@link io.karst.api.scsi.Status#TASK_ABORTED}, which a transport reports to the
   * initiator only when {@link io.karst.api.scsi.Task#reported()} says so (another nexus's
   * tasks, with TAS 1); the stage completes only once none of them can touch the
   * medium any more, so the transport may then send its response.
   *
   * @param lun the logical unit, for the functions that name one
   * @param tag the task's tag, for {@link TaskManagementFunction#ABORT_TASK}
   */
  CompletionStage<TaskManagementResponse> manage(TaskManagementFunction function, long lun,
      long tag);

  /**
   * Tells core that this nexus continues one that was lost, as an iSCSI session reinstatement
   * does (same initiator port, RFC 7143 6.3.5): every LUN reports I_T NEXUS LOSS OCCURRED to
   * the next command (SAM-5 6.3.4). Call before the first task.
   */
  default void nexusLost() {}

  /**
   * Ends the nexus: tasks still running complete (their transport may drop the answer), and
   * the session leaves the management view. Idempotent.
   */
  void close();
}
