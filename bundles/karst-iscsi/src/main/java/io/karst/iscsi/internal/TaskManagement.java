package io.karst.iscsi.internal;

import io.karst.api.scsi.TaskManagementFunction;
import io.karst.api.scsi.TaskManagementResponse;

/**
 * Task management requests (RFC 7143 11.5, 11.6): the function goes to core, and the response
 * leaves once core says the affected tasks can no longer touch the medium. Responses of the
 * aborted tasks themselves are never sent. TARGET COLD RESET closes the connection after its
 * response; CLEAR ACA (no ACA) and TASK REASSIGN (ErrorRecoveryLevel 0) are refused.
 */
final class TaskManagement {

  static final int FUNCTION_COMPLETE = 0;
  static final int TASK_DOES_NOT_EXIST = 1;
  static final int LUN_DOES_NOT_EXIST = 2;
  static final int REASSIGNMENT_NOT_SUPPORTED = 4;
  static final int NOT_SUPPORTED = 5;

  private static final int TARGET_COLD_RESET = 7;
  private static final int TASK_REASSIGN = 8;

  private TaskManagement() {}

  static void respond(FullFeatureHandler connection, Pdu request) {
    int function = request.flags() & 0x7F;
    int itt = request.itt();
    TaskManagementFunction f = switch (function) {
      case 1 -> TaskManagementFunction.ABORT_TASK;
      case 2 -> TaskManagementFunction.ABORT_TASK_SET;
      case 4 -> TaskManagementFunction.CLEAR_TASK_SET;
      case 5 -> TaskManagementFunction.LOGICAL_UNIT_RESET;
      case 6, TARGET_COLD_RESET -> TaskManagementFunction.TARGET_RESET;
      default -> null;
    };
    if (f == null || connection.session.discovery()) {
      send(connection, itt, function == TASK_REASSIGN ? REASSIGNMENT_NOT_SUPPORTED
          : NOT_SUPPORTED, false);
      return;
    }
    // RFC 7143 11.6.1 b: a task that is not there but whose CmdSN was received is done.
    boolean received = IscsiSession.before(request.u32(32), connection.session.expCmdSN);
    boolean cold = function == TARGET_COLD_RESET;
    connection.session.nexus.manage(f, FullFeatureHandler.lun(request.u64(8)),
            request.u32(20) & 0xFFFFFFFFL)
        .whenComplete((r, e) -> connection.onLoop(() -> send(connection, itt, e != null
            ? NOT_SUPPORTED : code(r, received), cold)));
  }

  private static int code(TaskManagementResponse r, boolean received) {
    return switch (r) {
      case FUNCTION_COMPLETE -> FUNCTION_COMPLETE;
      case TASK_DOES_NOT_EXIST -> received ? FUNCTION_COMPLETE : TASK_DOES_NOT_EXIST;
      case LOGICAL_UNIT_DOES_NOT_EXIST -> LUN_DOES_NOT_EXIST;
      case FUNCTION_NOT_SUPPORTED -> NOT_SUPPORTED;
    };
  }

  private static void send(FullFeatureHandler connection, int itt, int response, boolean close) {
    if (!connection.active()) {
      return;
    }
    Pdu pdu = Pdu.create(connection.alloc(), Opcode.TASK_MANAGEMENT_RESPONSE);
    pdu.set8(2, response).set32(16, itt);
    var sent = connection.respond(pdu);
    if (close) {
      sent.addListener(io.netty.channel.ChannelFutureListener.CLOSE);
    }
  }
}
