package io.karst.core.internal;

import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.TaskManagementFunction;
import io.karst.api.scsi.TaskManagementResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Task management (SAM-5 7): aborting tasks, and logical unit and target resets. An aborted
 * task that waits for Data-Out ends at once; one whose I/O is at the backend ends when that
 * I/O completes, and the function completes only then, so a transport's response never
 * precedes a write that the initiator believes cancelled. Aborted tasks end with TASK ABORTED,
 * which transports report only for the tasks another nexus aborted while TAS is set ({@link
 * #abort}). A command that ends with CHECK CONDITION aborts others as QERR says ({@link
 * #checkCondition}).
 */
final class TaskManagement {

  /** The service action of MAINTENANCE IN (A3h) that reports what {@link #manage} does. */
  static final int REPORT_SUPPORTED_TASK_MANAGEMENT_FUNCTIONS = 0x0D;
  /**
   * The functions {@link #manage} performs, as REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS
   * reports them (SPC-4 6.36): ATS (ABORT TASK), ATSS (ABORT TASK SET), CTSS (CLEAR TASK SET),
   * LURS (LOGICAL UNIT RESET) and TRS (TARGET RESET). Not CLEAR ACA (NACA is not supported),
   * nor the QUERY functions or I_T NEXUS RESET, which no transport asks core for.
   */
  private static final int SUPPORTED = 0x80 | 0x40 | 0x10 | 0x08 | 0x02;

  private TaskManagement() {}

  /**
   * REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS (SPC-4 6.36): the four bytes of supported
   * functions or, with REPD, the sixteen of the extended format, whose timeouts are not given
   * (their valid bits are zero). An allocation length below four is an error the standard
   * names.
   */
  static void reportSupported(CoreTask task) throws SenseException {
    byte[] cdb = task.cdb();
    if ((cdb[2] & 0x7F) != 0) {
      throw Cdb.invalidField(2, -1);
    }
    boolean extended = (cdb[2] & 0x80) != 0;
    long allocation = Cdb.u32(cdb, 6);
    if (allocation < 4) {
      throw Cdb.invalidField(6, -1);
    }
    byte[] data = new byte[extended ? 16 : 4];
    data[0] = (byte) SUPPORTED;
    if (extended) {
      data[3] = 0x0C; // ADDITIONAL DATA LENGTH
    }
    task.respond(data, (int) Math.min(allocation, Integer.MAX_VALUE));
  }

  static CompletionStage<TaskManagementResponse> manage(CoreSession session,
      TaskManagementFunction function, long lun, long tag) {
    if (function == TaskManagementFunction.ABORT_TASK) {
      for (Lun l : session.luns().values()) {
        for (CoreTask t : members(l.device())) {
          if (t.session == session && t.tag() == tag) {
            // A task that finished before the abort keeps its status: there was no task to
            // abort (RFC 7143 11.6.1), and the answer follows the task's own.
            boolean aborted = t.abort();
            return t.done().thenApply(v -> aborted ? TaskManagementResponse.FUNCTION_COMPLETE
                : TaskManagementResponse.TASK_DOES_NOT_EXIST);
          }
        }
      }
      return CompletableFuture.completedFuture(TaskManagementResponse.TASK_DOES_NOT_EXIST);
    }
    Collection<Lun> luns = function == TaskManagementFunction.TARGET_RESET
        ? session.luns().values() : single(session.lun(lun));
    if (luns.isEmpty()) {
      return CompletableFuture.completedFuture(
          TaskManagementResponse.LOGICAL_UNIT_DOES_NOT_EXIST);
    }
    boolean reset = function == TaskManagementFunction.LOGICAL_UNIT_RESET
        || function == TaskManagementFunction.TARGET_RESET;
    List<CoreTask> affected = new ArrayList<>();
    for (Lun l : luns) {
      for (CoreTask t : members(l.device())) {
        if (function != TaskManagementFunction.ABORT_TASK_SET || t.session == session) {
          affected.add(t);
        }
      }
      if (reset) {
        l.device().clearReservation();
        l.device().medium.allowAll();
        ModePages.restoreSaved(l.device());
        if (l.device().resetUnitAttention) {
          UnitAttention.raise(l.device(), UnitAttention.BUS_DEVICE_RESET_FUNCTION_OCCURRED,
              null);
        }
      }
    }
    // A reset tells every nexus by its own unit attention, when configured to (reset_ua).
    return abort(affected, reset ? null : session)
        .thenApply(v -> TaskManagementResponse.FUNCTION_COMPLETE);
  }

  /**
   * The tasks of a logical unit's task set: dormant ones youngest first, so that aborting one
   * never lets a younger one about to be aborted start, then those at the device.
   */
  private static List<CoreTask> members(Device device) {
    List<CoreTask> all = device.taskSet.dormant();
    all.addAll(device.tasks);
    return all;
  }

  private static List<Lun> single(Lun lun) {
    return lun == null ? List.of() : List.of(lun);
  }

  /**
   * QERR of the control mode page (SPC-4 7.5.8) when {@code failed} ends with CHECK CONDITION:
   * 01b aborts every other task of the logical unit's task set, 11b those of the same nexus
   * only; 00b none. Tasks of other nexuses are aborted as {@link #abort} says, by TAS.
   */
  static void checkCondition(CoreTask failed, Device device) {
    int qerr = device.queueErrorManagement;
    if (qerr == 0) {
      return;
    }
    List<CoreTask> victims = new ArrayList<>();
    for (CoreTask t : members(device)) {
      if (t != failed && (qerr == 1 || t.session == failed.session)) {
        victims.add(t);
      }
    }
    if (!victims.isEmpty()) {
      abort(victims, failed.session);
    }
  }

  /**
   * Aborts the tasks; completes once none of them can touch the medium any more. A nexus
   * other than {@code issuer} whose tasks were aborted learns of it (SAM-5 5.6): with TAS 1 in
   * the control mode page of their logical unit, each ends with TASK ABORTED status; with TAS
   * 0 they end unseen, and COMMANDS CLEARED BY ANOTHER INITIATOR is established on their LUN.
   * The issuer's own tasks end unseen, and a null issuer (a reset) tells nobody.
   */
  static CompletableFuture<Void> abort(List<CoreTask> tasks, CoreSession issuer) {
    for (CoreTask t : tasks) {
      boolean other = issuer != null && t.session != issuer;
      Lun lun = other ? t.session.lun(t.lun()) : null;
      boolean status = lun != null && lun.device().taskAbortedStatus;
      if (t.abort(status) && other && !status) {
        t.session.attentions.establish(t.lun(), Sense.COMMANDS_CLEARED_BY_ANOTHER_INITIATOR);
      }
    }
    return CompletableFuture.allOf(tasks.stream().map(CoreTask::done)
        .toArray(CompletableFuture[]::new));
  }
}
