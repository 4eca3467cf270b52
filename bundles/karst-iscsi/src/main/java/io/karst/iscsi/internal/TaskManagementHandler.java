package io.karst.iscsi.internal;

import io.karst.api.scsi.TaskManagementFunction;
import io.karst.api.scsi.TaskManagementResponse;

/**
 * Task Management Function Requests (RFC 7143 11.5, 11.6) of a normal session. ABORT TASK,
 * ABORT TASK SET, CLEAR TASK SET, LOGICAL UNIT RESET and TARGET WARM and COLD RESET go to
 * core ({@link io.karst.api.target.Session#manage}); the response leaves once core says the
 * tasks they ended can no longer touch the medium (those tasks' own answers are never sent,
 * see {@link TaskResponse}). A cold reset then closes the session's connections (11.5.1).
 *
 * <p>A request may name a task of any connection of the session. ABORT TASK for a task the
 * session has no more is settled here (11.6.1): "Function
 * complete" when the referenced CmdSN is in the window and before the request's own (the
 * command has not arrived yet, and counts as received and aborted), "Task does not exist"
 * otherwise. CLEAR ACA is "not supported" (no ACA); TASK REASSIGN is "reassignment not
 * supported" (ErrorRecoveryLevel 0).
 */
final class TaskManagementHandler extends RequestHandler {

  static final int FUNCTION_COMPLETE = 0;
  static final int TASK_DOES_NOT_EXIST = 1;
  static final int LUN_DOES_NOT_EXIST = 2;
  static final int REASSIGNMENT_NOT_SUPPORTED = 4;
  static final int NOT_SUPPORTED = 5;

  private static final int ABORT_TASK = 1;
  private static final int TARGET_COLD_RESET = 7;
  private static final int TASK_REASSIGN = 8;
  private static final int REFERENCED_TASK_TAG = 20;
  private static final int REF_CMD_SN = 32;

  private final IscsiConnection connection;

  TaskManagementHandler(IscsiConnection connection) {
    super(Opcode.TASK_MANAGEMENT_REQUEST);
    this.connection = connection;
  }

  @Override
  void handle(Pdu pdu) {
    int function = pdu.flags() & 0x7F;
    int itt = pdu.itt();
    int referenced = pdu.u32(REFERENCED_TASK_TAG);
    TaskManagementFunction f = switch (function) {
      case ABORT_TASK -> TaskManagementFunction.ABORT_TASK;
      case 2 -> TaskManagementFunction.ABORT_TASK_SET;
      case 4 -> TaskManagementFunction.CLEAR_TASK_SET;
      case 5 -> TaskManagementFunction.LOGICAL_UNIT_RESET;
      case 6, TARGET_COLD_RESET -> TaskManagementFunction.TARGET_RESET;
      default -> null;
    };
    if (f == null) {
      respond(itt, function == TASK_REASSIGN ? REASSIGNMENT_NOT_SUPPORTED : NOT_SUPPORTED, false);
      return;
    }
    if (f == TaskManagementFunction.ABORT_TASK && !connection.session().hasTask(referenced)) {
      respond(itt, unknownTask(pdu), false);
      return;
    }
    boolean close = function == TARGET_COLD_RESET;
    connection.session().nexus
        .manage(f, ScsiCommandHandler.lun(pdu.u64(Pdu.LUN)), referenced & 0xFFFFFFFFL)
        .whenComplete((r, e) -> connection.execute(
            () -> respond(itt, e != null ? NOT_SUPPORTED : code(r), close)));
  }

  /** RFC 7143 11.6.1 b and c. */
  private int unknownTask(Pdu pdu) {
    CommandWindow window = connection.session().window;
    int refCmdSN = pdu.u32(REF_CMD_SN);
    boolean inWindow = window.expected(refCmdSN) || window.ahead(refCmdSN);
    return inWindow && CommandWindow.before(refCmdSN, pdu.cmdSN())
        ? FUNCTION_COMPLETE : TASK_DOES_NOT_EXIST;
  }

  private static int code(TaskManagementResponse r) {
    return switch (r) {
      case FUNCTION_COMPLETE -> FUNCTION_COMPLETE;
      case TASK_DOES_NOT_EXIST -> TASK_DOES_NOT_EXIST;
      case LOGICAL_UNIT_DOES_NOT_EXIST -> LUN_DOES_NOT_EXIST;
      case FUNCTION_NOT_SUPPORTED -> NOT_SUPPORTED;
    };
  }

  private void respond(int itt, int response, boolean close) {
    if (!connection.active()) {
      return;
    }
    Pdu pdu = Pdu.create(connection.alloc(), Opcode.TASK_MANAGEMENT_RESPONSE);
    pdu.set8(2, response).set32(Pdu.ITT, itt);
    var sent = connection.respond(pdu);
    if (close) {
      sent.addListener(f -> connection.session().connections().forEach(IscsiConnection::close));
    }
  }
}
