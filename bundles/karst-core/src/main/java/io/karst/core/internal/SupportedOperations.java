package io.karst.core.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.device.CommandBackend;
import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.SupportedOperation;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * REPORT SUPPORTED OPERATION CODES (SPC-4 6.35) for block devices, and the table it reports:
 * every command Spc, ModePages, Sbc, Pr, WriteSame and the copy manager execute, with its CDB
 * usage map (the bits of each CDB byte the device server looks at). A test sends every opcode
 * and checks that exactly these are executed, so the table cannot drift from the code. A
 * command backend that names its device type and lists its own commands gets the same report,
 * with the part of this table core answers for it ({@link #SHARED}).
 */
final class SupportedOperations {

  static final int MAINTENANCE_IN = 0xA3;
  static final int REPORT_SUPPORTED_OPERATION_CODES = 0x0C;
  private static final int FF = 0xFF;

  private static SupportedOperation op(int... usage) {
    return SupportedOperation.of(usage);
  }

  private static SupportedOperation withAction(int serviceAction, int... usage) {
    return SupportedOperation.withServiceAction(serviceAction, usage);
  }

  private static final int LBA = FF;

  /** UNMAP, offered by thin backends only. */
  static final SupportedOperation UNMAP = op(0x42, 0x01, 0, 0, 0, 0, 0, FF, FF, 0);
  /** SANITIZE's BLOCK ERASE, offered by thin backends only. */
  static final SupportedOperation SANITIZE_BLOCK_ERASE =
      withAction(Sanitize.BLOCK_ERASE, Sanitize.SANITIZE, 0xBF, 0, 0, 0, 0, 0, FF, FF, 0);

  static final List<SupportedOperation> BLOCK = List.of(
      op(0x00, 0, 0, 0, 0, 0),
      op(0x03, 0x01, 0, 0, FF, 0),
      op(FormatUnit.FORMAT_UNIT, 0xFF, 0, 0, 0, 0),
      op(0x08, 0x1F, FF, FF, FF, 0),
      op(0x0A, 0x1F, FF, FF, FF, 0),
      op(0x12, 0x01, FF, FF, FF, 0),
      op(0x15, 0x11, 0, 0, FF, 0),
      op(0x16, 0, 0, 0, 0, 0),
      op(0x17, 0, 0, 0, 0, 0),
      op(0x1A, 0x08, FF, FF, FF, 0),
      op(0x1B, 0x01, 0, 0x0F, 0xF7, 0),
      op(0x1E, 0, 0, 0, 0x03, 0),
      op(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0),
      op(0x28, 0x18, LBA, LBA, LBA, LBA, 0, FF, FF, 0),
      op(0x2A, 0x18, LBA, LBA, LBA, LBA, 0, FF, FF, 0),
      op(0x2E, 0x12, LBA, LBA, LBA, LBA, 0, FF, FF, 0),
      op(0x2F, 0x16, LBA, LBA, LBA, LBA, 0, FF, FF, 0),
      op(0x34, 0x02, LBA, LBA, LBA, LBA, 0, FF, FF, 0),
      op(0x37, 0, 0x1F, 0, 0, 0, 0, FF, FF, 0),
      op(0x35, 0x02, LBA, LBA, LBA, LBA, 0, FF, FF, 0),
      op(0x41, 0, LBA, LBA, LBA, LBA, 0, FF, FF, 0),
      withAction(Sanitize.OVERWRITE, 0x48, 0xBF, 0, 0, 0, 0, 0, FF, FF, 0),
      withAction(Sanitize.EXIT_FAILURE_MODE, 0x48, 0xBF, 0, 0, 0, 0, 0, FF, FF, 0),
      op(0x4D, 0x03, FF, FF, 0, FF, FF, FF, FF, 0),
      op(0x55, 0x11, 0, 0, 0, 0, 0, FF, FF, 0),
      op(0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0),
      op(0x57, 0, 0, 0, 0, 0, 0, 0, 0, 0),
      op(0x5A, 0x18, FF, FF, 0, 0, 0, FF, FF, 0),
      withAction(0x00, 0x5E, 0x1F, 0, 0, 0, 0, 0, FF, FF, 0),
      withAction(0x01, 0x5E, 0x1F, 0, 0, 0, 0, 0, FF, FF, 0),
      withAction(0x02, 0x5E, 0x1F, 0, 0, 0, 0, 0, FF, FF, 0),
      withAction(0x03, 0x5E, 0x1F, 0, 0, 0, 0, 0, FF, FF, 0),
      withAction(0x00, 0x5F, 0x1F, FF, 0, 0, FF, FF, FF, FF, 0),
      withAction(0x01, 0x5F, 0x1F, FF, 0, 0, FF, FF, FF, FF, 0),
      withAction(0x02, 0x5F, 0x1F, FF, 0, 0, FF, FF, FF, FF, 0),
      withAction(0x03, 0x5F, 0x1F, FF, 0, 0, FF, FF, FF, FF, 0),
      withAction(0x04, 0x5F, 0x1F, FF, 0, 0, FF, FF, FF, FF, 0),
      withAction(0x05, 0x5F, 0x1F, FF, 0, 0, FF, FF, FF, FF, 0),
      withAction(0x06, 0x5F, 0x1F, FF, 0, 0, FF, FF, FF, FF, 0),
      withAction(0x07, 0x5F, 0x1F, FF, 0, 0, FF, FF, FF, FF, 0),
      withAction(ExtendedCopy.LID1, ExtendedCopy.EXTENDED_COPY, 0x1F, 0, 0, 0, 0, 0, 0, 0, 0,
          FF, FF, FF, FF, 0, 0),
      withAction(CopyResults.COPY_STATUS, CopyResults.RECEIVE_COPY_RESULTS, 0x1F, FF, 0, 0,
          0, 0, 0, 0, 0, FF, FF, FF, FF, 0, 0),
      withAction(CopyResults.OPERATING_PARAMETERS, CopyResults.RECEIVE_COPY_RESULTS, 0x1F, 0,
          0, 0, 0, 0, 0, 0, 0, FF, FF, FF, FF, 0, 0),
      withAction(CopyResults.FAILED_SEGMENT_DETAILS, CopyResults.RECEIVE_COPY_RESULTS, 0x1F,
          FF, 0, 0, 0, 0, 0, 0, 0, FF, FF, FF, FF, 0, 0),
      op(0x88, 0x18, LBA, LBA, LBA, LBA, LBA, LBA, LBA, LBA, FF, FF, FF, FF, 0, 0),
      op(0x89, 0x18, LBA, LBA, LBA, LBA, LBA, LBA, LBA, LBA, 0, 0, 0, FF, 0, 0),
      op(0x8B, 0x18, LBA, LBA, LBA, LBA, LBA, LBA, LBA, LBA, FF, FF, FF, FF, 0, 0),
      op(0x8A, 0x18, LBA, LBA, LBA, LBA, LBA, LBA, LBA, LBA, FF, FF, FF, FF, 0, 0),
      op(0x8E, 0x12, LBA, LBA, LBA, LBA, LBA, LBA, LBA, LBA, FF, FF, FF, FF, 0, 0),
      op(0x8F, 0x16, LBA, LBA, LBA, LBA, LBA, LBA, LBA, LBA, FF, FF, FF, FF, 0, 0),
      op(0x90, 0x02, LBA, LBA, LBA, LBA, LBA, LBA, LBA, LBA, FF, FF, FF, FF, 0, 0),
      op(0x91, 0x02, LBA, LBA, LBA, LBA, LBA, LBA, LBA, LBA, FF, FF, FF, FF, 0, 0),
      op(0x93, 0x01, LBA, LBA, LBA, LBA, LBA, LBA, LBA, LBA, FF, FF, FF, FF, 0, 0),
      op(0x9C, 0x18, LBA, LBA, LBA, LBA, LBA, LBA, LBA, LBA, FF, FF, FF, FF, 0, 0),
      withAction(0x10, 0x9E, 0x1F, 0, 0, 0, 0, 0, 0, 0, 0, FF, FF, FF, FF, 0, 0),
      withAction(0x12, 0x9E, 0x1F, LBA, LBA, LBA, LBA, LBA, LBA, LBA, LBA, FF, FF, FF, FF, 0, 0),
      op(0xA0, 0, FF, 0, 0, 0, FF, FF, FF, FF, 0, 0),
      withAction(REPORT_SUPPORTED_OPERATION_CODES, MAINTENANCE_IN, 0x1F, 0x87, FF, FF, FF, FF,
          FF, FF, FF, 0, 0),
      withAction(TaskManagement.REPORT_SUPPORTED_TASK_MANAGEMENT_FUNCTIONS, MAINTENANCE_IN,
          0x1F, 0x80, 0, 0, 0, FF, FF, FF, FF, 0, 0),
      op(0xA8, 0x18, LBA, LBA, LBA, LBA, FF, FF, FF, FF, 0, 0),
      op(0xAA, 0x18, LBA, LBA, LBA, LBA, FF, FF, FF, FF, 0, 0),
      op(0xAE, 0x12, LBA, LBA, LBA, LBA, FF, FF, FF, FF, 0, 0),
      op(0xAF, 0x16, LBA, LBA, LBA, LBA, FF, FF, FF, FF, 0, 0),
      op(0xB7, 0x1F, 0, 0, 0, 0, FF, FF, FF, FF, 0, 0));

  private SupportedOperations() {}

  /** REPORT and SET TARGET PORT GROUPS, offered on LUNs under ALUA only. */
  static final List<SupportedOperation> ALUA = List.of(
      withAction(Alua.REPORT_TARGET_PORT_GROUPS, MAINTENANCE_IN, 0xFF, 0, 0, 0, 0, FF, FF, FF,
          FF, 0, 0),
      withAction(Alua.SET_TARGET_PORT_GROUPS, Alua.MAINTENANCE_OUT, 0x1F, 0, 0, 0, 0, FF, FF,
          FF, FF, 0, 0));

  /**
   * The SPC commands core answers for a command backend that names its device type
   * ({@link Spc#executeShared}), REPORT SUPPORTED OPERATION CODES among them: those of
   * {@link #BLOCK} with these operation codes.
   */
  private static final Set<Integer> SHARED_OPCODES = Set.of(Spc.REQUEST_SENSE, Spc.INQUIRY,
      Reservations.RESERVE_6, Reservations.RELEASE_6, Spc.PREVENT_ALLOW_MEDIUM_REMOVAL,
      Reservations.RESERVE_10, Reservations.RELEASE_10,
      PersistentReservations.PERSISTENT_RESERVE_IN, PersistentReservations.PERSISTENT_RESERVE_OUT,
      Spc.REPORT_LUNS);

  static final List<SupportedOperation> SHARED = BLOCK.stream()
      .filter(o -> SHARED_OPCODES.contains(o.opcode()) || (o.opcode() == MAINTENANCE_IN
          && o.serviceAction() == REPORT_SUPPORTED_OPERATION_CODES))
      .toList();

  /** The commands a LUN with this backend executes. */
  static List<SupportedOperation> of(Lun lun, BlockBackend backend) {
    if (!Unmap.thin(backend) && lun.alua() == null) {
      return BLOCK;
    }
    List<SupportedOperation> all = new ArrayList<>(BLOCK);
    if (Unmap.thin(backend)) {
      all.add(UNMAP);
    }
    if (Sanitize.blockErase(backend)) {
      all.add(SANITIZE_BLOCK_ERASE);
    }
    if (lun.alua() != null) {
      all.addAll(ALUA);
    }
    return all;
  }

  /**
   * The commands a LUN of a command backend executes: core's shared ones and the backend's,
   * in operation code order; empty when the backend does not list its own.
   */
  static List<SupportedOperation> of(Lun lun, CommandBackend backend) {
    List<SupportedOperation> own = backend.supportedOperations();
    if (own.isEmpty()) {
      return own;
    }
    List<SupportedOperation> all = new ArrayList<>(SHARED);
    all.addAll(own);
    if (lun.alua() != null) {
      all.addAll(ALUA);
    }
    all.sort(Comparator.comparingInt(SupportedOperation::opcode)
        .thenComparingInt(SupportedOperation::serviceAction));
    return all;
  }

  static void report(CoreTask task, List<SupportedOperation> table) throws SenseException {
    byte[] cdb = task.cdb();
    boolean timeouts = (cdb[2] & 0x80) != 0;
    int options = cdb[2] & 0x07;
    int opcode = Cdb.u8(cdb, 3);
    int action = Cdb.u16(cdb, 4);
    long allocation = Cdb.u32(cdb, 6);
    if ((cdb[2] & 0x78) != 0) {
      throw Cdb.invalidField(2, 6);
    }
    byte[] data = switch (options) {
      case 0 -> all(table, timeouts);
      case 1, 2, 3 -> one(table, options, opcode, action, timeouts);
      default -> throw Cdb.invalidField(2, 2);
    };
    task.respond(data, (int) Math.min(allocation, Integer.MAX_VALUE));
  }

  private static byte[] all(List<SupportedOperation> table, boolean timeouts) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (SupportedOperation o : table) {
      ByteBuffer d = ByteBuffer.allocate(8);
      boolean servact = o.hasServiceAction();
      d.put((byte) o.opcode()).put((byte) 0)
          .putShort((short) (servact ? o.serviceAction() : 0)).put((byte) 0)
          .put((byte) ((timeouts ? 0x02 : 0) | (servact ? 0x01 : 0)))
          .putShort((short) o.cdbLength());
      body.writeBytes(d.array());
      if (timeouts) {
        body.writeBytes(timeoutsDescriptor());
      }
    }
    ByteBuffer out = ByteBuffer.allocate(4 + body.size());
    out.putInt(body.size()).put(body.toByteArray());
    return out.array();
  }

  /**
   * One command: options 1 name it by opcode (which must have no service actions), 2 by
   * opcode and service action (which it must have), 3 by whichever applies.
   */
  private static byte[] one(List<SupportedOperation> table, int options, int opcode, int action,
      boolean timeouts) throws SenseException {
    boolean actions = table.stream().anyMatch(o -> o.opcode() == opcode && o.hasServiceAction());
    boolean known = table.stream().anyMatch(o -> o.opcode() == opcode);
    if ((options == 1 && actions) || (options == 2 && !actions && known)) {
      throw Cdb.invalidField(3, -1);
    }
    boolean byAction = actions && options != 1;
    SupportedOperation found = table.stream()
        .filter(o -> o.opcode() == opcode
            && (!byAction || o.serviceAction() == action))
        .findFirst().orElse(null);
    if (found == null) {
      // SUPPORT 001b: the device server does not support the command.
      return new byte[] {0, 0x01, 0, 0};
    }
    byte[] usage = usageData(found);
    ByteBuffer out = ByteBuffer.allocate(4 + usage.length + (timeouts ? 12 : 0));
    out.put((byte) 0).put((byte) ((timeouts ? 0x80 : 0) | 0x03))
        .putShort((short) usage.length).put(usage);
    if (timeouts) {
      out.put(timeoutsDescriptor());
    }
    return out.array();
  }

  /**
   * The CDB usage data (SPC-4 6.35.3): the map, with the service action in the place of the
   * SERVICE ACTION field, which is bits 4..0 of byte 1 for every command with one here.
   */
  private static byte[] usageData(SupportedOperation o) {
    byte[] usage = o.cdbUsage();
    if (o.hasServiceAction()) {
      usage[1] = (byte) ((usage[1] & 0xE0) | o.serviceAction());
    }
    return usage;
  }

  /** Command timeouts descriptor (SPC-4 6.35.4): zero timeouts say "not specified". */
  private static byte[] timeoutsDescriptor() {
    byte[] d = new byte[12];
    d[1] = 0x0A;
    return d;
  }
}
