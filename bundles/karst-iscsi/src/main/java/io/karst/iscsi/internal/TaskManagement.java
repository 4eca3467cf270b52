package io.karst.iscsi.internal;

import java.util.Set;

/**
 * Task management requests (RFC 7143 11.5, 11.6). Core has no task management yet, so every
 * function is answered "not supported" (5), except ABORT TASK for a task this connection no
 * longer has, which is complete by definition (11.6.1 b).
 */
final class TaskManagement {

  static final int ABORT_TASK = 1;
  static final int FUNCTION_COMPLETE = 0;
  static final int NOT_SUPPORTED = 5;

  private TaskManagement() {}

  static void respond(FullFeatureHandler connection, Pdu request, Set<Integer> running) {
    int function = request.flags() & 0x7F;
    int response = function == ABORT_TASK && !running.contains(request.u32(20))
        ? FUNCTION_COMPLETE : NOT_SUPPORTED;
    Pdu pdu = Pdu.create(connection.alloc(), Opcode.TASK_MANAGEMENT_RESPONSE);
    pdu.set8(2, response).set32(16, request.itt());
    connection.respond(pdu);
  }
}
