package io.karst.iscsi.internal;

/**
 * iSCSI opcodes (RFC 7143 11.2.1.2) and the reason codes of a Reject (11.17.1). Initiator
 * opcodes are 0x00 to 0x1F, target opcodes 0x20 to 0x3F.
 */
final class Opcode {

  static final int NOP_OUT = 0x00;
  static final int SCSI_COMMAND = 0x01;
  static final int TASK_MANAGEMENT_REQUEST = 0x02;
  static final int LOGIN_REQUEST = 0x03;
  static final int TEXT_REQUEST = 0x04;
  static final int DATA_OUT = 0x05;
  static final int LOGOUT_REQUEST = 0x06;
  static final int SNACK_REQUEST = 0x10;

  static final int NOP_IN = 0x20;
  static final int SCSI_RESPONSE = 0x21;
  static final int TASK_MANAGEMENT_RESPONSE = 0x22;
  static final int LOGIN_RESPONSE = 0x23;
  static final int TEXT_RESPONSE = 0x24;
  static final int DATA_IN = 0x25;
  static final int LOGOUT_RESPONSE = 0x26;
  static final int R2T = 0x31;
  static final int ASYNC_MESSAGE = 0x32;
  static final int REJECT = 0x3F;

  static final int REJECT_DATA_DIGEST_ERROR = 0x02;
  static final int REJECT_PROTOCOL_ERROR = 0x04;
  static final int REJECT_COMMAND_NOT_SUPPORTED = 0x05;
  static final int REJECT_INVALID_PDU_FIELD = 0x09;

  private Opcode() {}

  /** Whether an initiator opcode is one RFC 7143 defines. */
  static boolean known(int opcode) {
    return opcode <= LOGOUT_REQUEST || opcode == SNACK_REQUEST;
  }

  /** Whether the opcode carries a CmdSN the target orders by (RFC 7143 4.2.2.1). */
  static boolean numbered(int opcode) {
    return opcode == NOP_OUT || opcode == SCSI_COMMAND || opcode == TASK_MANAGEMENT_REQUEST
        || opcode == TEXT_REQUEST || opcode == LOGOUT_REQUEST;
  }
}
