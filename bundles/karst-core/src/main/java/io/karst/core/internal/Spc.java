package io.karst.core.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.device.CommandBackend;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.SenseKey;
import io.karst.api.scsi.SupportedOperation;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * SPC-4 emulation common to every logical unit of a block backend: INQUIRY with its VPD pages,
 * REPORT LUNS, TEST UNIT READY, REQUEST SENSE; START STOP UNIT and PREVENT ALLOW MEDIUM
 * REMOVAL are {@link MediumRemoval}'s, mode pages {@link ModePages}'.
 */
final class Spc {

  static final int TEST_UNIT_READY = 0x00;
  static final int REQUEST_SENSE = 0x03;
  static final int INQUIRY = 0x12;
  static final int START_STOP_UNIT = 0x1B;
  static final int PREVENT_ALLOW_MEDIUM_REMOVAL = 0x1E;
  static final int REPORT_LUNS = 0xA0;

  /** Peripheral qualifier 011b, device type 1Fh: no logical unit at this LUN (SPC-4 6.6.2). */
  private static final int NO_LOGICAL_UNIT = 0x7F;
  /**
   * Peripheral qualifier 001b, device type 1Fh: a placeholder logical unit
   * ({@link BlockBackend#placeholder()}), which initiators list but do not attach, as SCST's
   * {@code dummy} answers.
   */
  private static final int PLACEHOLDER = 0x3F;
  static final int DIRECT_ACCESS = 0x00;

  /** Version descriptors: SAM-5, SPC-4, SBC-3, iSCSI (SPC-4 table 145). */
  private static final int[] VERSION_DESCRIPTORS = {0x00A0, 0x0460, 0x04C0, 0x0960};
  /**
   * Version descriptors of other device types: SAM-5, SPC-4, iSCSI. No command set standard
   * is claimed for them: a CD-ROM serves a part of MMC, as SCST's vcdrom does.
   */
  private static final int[] VERSION_DESCRIPTORS_OTHER = {0x00A0, 0x0460, 0x0960};

  private Spc() {}

  /** Executes an SPC command on a block device; false when the opcode is not SPC's. */
  static boolean execute(CoreTask task, Lun lun, BlockBackend backend) throws SenseException {
    byte[] cdb = task.cdb();
    switch (Cdb.u8(cdb, 0)) {
      case INQUIRY -> inquiry(task, lun, backend);
      case TEST_UNIT_READY -> task.good();
      case START_STOP_UNIT -> MediumRemoval.startStop(task, lun.device());
      case ModePages.MODE_SENSE_6, ModePages.MODE_SENSE_10 -> ModePages.sense(task, lun, backend);
      case ModePages.MODE_SELECT_6, ModePages.MODE_SELECT_10 ->
          ModePages.select(task, lun, backend);
      case LogSense.LOG_SENSE -> LogSense.execute(task, lun, backend);
      case ExtendedCopy.EXTENDED_COPY -> ExtendedCopy.execute(task, lun, backend);
      case CopyResults.RECEIVE_COPY_RESULTS -> CopyResults.execute(task, lun, backend);
      case SupportedOperations.MAINTENANCE_IN -> {
        switch (cdb[1] & 0x1F) {
          case SupportedOperations.REPORT_SUPPORTED_OPERATION_CODES ->
              SupportedOperations.report(task, SupportedOperations.of(lun, backend));
          case Alua.REPORT_TARGET_PORT_GROUPS -> Alua.reportTargetPortGroups(task, lun);
          case TaskManagement.REPORT_SUPPORTED_TASK_MANAGEMENT_FUNCTIONS ->
              TaskManagement.reportSupported(task);
          default -> throw Cdb.invalidField(1, 4);
        }
      }
      default -> {
        return executeShared(task, lun, null);
      }
    }
    return true;
  }

  /**
   * The SPC commands every logical unit shares, for a command-level backend that names its
   * device type ({@link io.karst.api.device.CommandBackend#peripheralDeviceType()}); false for
   * the others, which the backend executes. REPORT SUPPORTED OPERATION CODES is answered here
   * for a {@code command} backend that lists its commands; {@code command} is null for a block
   * device, whose MAINTENANCE IN {@link #execute} answers.
   */
  static boolean executeShared(CoreTask task, Lun lun, CommandBackend command)
      throws SenseException {
    byte[] cdb = task.cdb();
    switch (Cdb.u8(cdb, 0)) {
      case INQUIRY -> inquiry(task, lun, null);
      case PREVENT_ALLOW_MEDIUM_REMOVAL -> MediumRemoval.preventAllow(task, lun.device());
      case REQUEST_SENSE -> requestSense(task, new Sense(SenseKey.NO_SENSE, 0, 0));
      case PersistentReservations.PERSISTENT_RESERVE_IN ->
          PersistentReservations.reserveIn(task, lun.device());
      case PersistentReservations.PERSISTENT_RESERVE_OUT ->
          PersistentReservations.reserveOut(task, lun.device());
      case Reservations.RESERVE_6, Reservations.RESERVE_10 ->
          Reservations.reserve(task, lun.device());
      case Reservations.RELEASE_6, Reservations.RELEASE_10 ->
          Reservations.release(task, lun.device());
      case SupportedOperations.MAINTENANCE_IN -> {
        switch (cdb[1] & 0x1F) {
          case Alua.REPORT_TARGET_PORT_GROUPS -> Alua.reportTargetPortGroups(task, lun);
          case SupportedOperations.REPORT_SUPPORTED_OPERATION_CODES -> {
            List<SupportedOperation> table = command == null ? List.of()
                : SupportedOperations.of(lun, command);
            if (table.isEmpty()) {
              return false;
            }
            SupportedOperations.report(task, table);
          }
          default -> {
            return false;
          }
        }
      }
      case Alua.MAINTENANCE_OUT -> {
        if (lun.alua() == null) {
          return false;
        }
        Alua.setTargetPortGroups(task, lun);
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /**
   * The answers for a LUN the initiator has no logical unit at (SPC-4 4.6.2, 6.6.2): INQUIRY
   * reports that no unit is there, REQUEST SENSE returns LOGICAL UNIT NOT SUPPORTED as data,
   * REPORT LUNS lists the LUNs there are, everything else fails with that sense.
   */
  static void withoutLogicalUnit(CoreTask task, int opcode) throws SenseException {
    switch (opcode) {
      case INQUIRY -> inquiry(task, null, null);
      case REQUEST_SENSE -> requestSense(task, Sense.LOGICAL_UNIT_NOT_SUPPORTED);
      case REPORT_LUNS -> reportLuns(task);
      default -> throw new SenseException(Sense.LOGICAL_UNIT_NOT_SUPPORTED);
    }
  }

  /**
   * A device whose handler is gone: it still identifies itself, so multipath and the initiator's
   * device list stay stable, and everything else reports why it cannot serve.
   */
  static void offline(CoreTask task, int opcode, Lun lun) throws SenseException {
    Sense why = Sense.LOGICAL_UNIT_NOT_READY_MANUAL_INTERVENTION;
    switch (opcode) {
      case INQUIRY -> inquiry(task, lun, null);
      case REQUEST_SENSE -> requestSense(task, why);
      default -> throw new SenseException(why);
    }
  }

  /** INQUIRY for a LUN, or with {@code lun} null for a LUN with no logical unit. */
  static void inquiry(CoreTask task, Lun lun, BlockBackend backend) throws SenseException {
    Device device = lun == null ? null : lun.device();
    byte[] cdb = task.cdb();
    int type = device == null ? DIRECT_ACCESS : device.peripheralDeviceType();
    boolean block = type == DIRECT_ACCESS;
    int peripheral = backend != null && backend.placeholder() ? PLACEHOLDER : type;
    boolean evpd = (cdb[1] & 0x01) != 0;
    if ((cdb[1] & 0xFE) != 0) {
      throw Cdb.invalidField(1, 1);
    }
    int page = Cdb.u8(cdb, 2);
    int allocation = Cdb.u16(cdb, 3);
    if (!evpd) {
      if (page != 0) {
        throw Cdb.invalidField(2, -1);
      }
      task.respond(standardInquiry(lun, peripheral), allocation);
      return;
    }
    if (device == null) {
      throw Cdb.invalidField(1, 0);
    }
    byte[] pages = supportedPages(block, device.copyManager(), backend);
    if (!contains(pages, page)) {
      throw Cdb.invalidField(2, -1);
    }
    byte[] body = switch (page) {
      case 0x00 -> pages;
      case 0x80 -> device.identity.serial().getBytes(StandardCharsets.US_ASCII);
      case 0x83 -> deviceIdentification(device.identity,
          Alua.portDesignators(task.session.target().relativePortId(), lun));
      case 0x86 -> extendedInquiry(block);
      case CopyResults.THIRD_PARTY_COPY_PAGE ->
          CopyResults.thirdPartyCopyPage(backend == null ? 512 : backend.blockSize());
      case 0xB0 -> blockLimits(backend);
      case 0xB1 -> blockDeviceCharacteristics(backend);
      // The threshold exponent the Logical Block Provisioning log page counts in; LBPU,
      // LBPWS, LBPWS10, LBPRZ; provisioning type 2: thin.
      case 0xB2 -> new byte[] {(byte) LogSense.thresholdExponent(backend.blockSize()),
          (byte) 0xE4, 0x02, 0};
      default -> throw new IllegalStateException("VPD page " + page + " listed, not built");
    };
    ByteBuffer out = ByteBuffer.allocate(4 + body.length);
    out.put((byte) peripheral).put((byte) page).putShort((short) body.length).put(body);
    task.respond(out.array(), allocation);
  }

  /** The standard INQUIRY data; {@code peripheral} is the qualifier and device type byte. */
  private static byte[] standardInquiry(Lun lun, int peripheral) {
    Device device = lun == null ? null : lun.device();
    int type = device == null ? DIRECT_ACCESS : device.peripheralDeviceType();
    int[] versions = type == DIRECT_ACCESS ? VERSION_DESCRIPTORS : VERSION_DESCRIPTORS_OTHER;
    ByteBuffer b = ByteBuffer.allocate(58 + 2 * versions.length);
    b.put((byte) (device == null ? NO_LOGICAL_UNIT : peripheral));
    b.put((byte) (device != null && device.removable() ? 0x80 : 0)); // RMB
    b.put((byte) 0x06); // SPC-4
    b.put((byte) 0x12); // HISUP, response data format 2
    b.put((byte) (b.capacity() - 5));
    b.put((byte) ((lun != null && lun.alua() != null ? Alua.TPGS_IMPLICIT_AND_EXPLICIT : 0)
        | (device != null && device.copyManager() ? 0x08 : 0))); // 3PC
    b.put((byte) 0);
    b.put((byte) 0x02); // CMDQUE
    DeviceIdentity id = device == null ? null : device.identity;
    b.put(padded(id == null ? "KARST" : id.vendor(), 8));
    b.put(padded(id == null ? "" : id.product(), 16));
    b.put(padded(id == null ? "" : id.revision(), 4));
    b.position(58);
    for (int v : versions) {
      b.putShort((short) v);
    }
    return b.array();
  }

  /**
   * The VPD pages the logical unit has, ascending: the Supported VPD Pages page, and the only
   * pages INQUIRY returns. The Third-party Copy page is core's copy manager's, for the units it
   * serves (as the 3PC bit says); the B0h to BFh pages a block device's (SBC's); Logical Block
   * Provisioning a thin one's.
   */
  private static byte[] supportedPages(boolean block, boolean copyManager,
      BlockBackend backend) {
    ByteArrayOutputStream pages = new ByteArrayOutputStream();
    pages.writeBytes(new byte[] {0x00, (byte) 0x80, (byte) 0x83, (byte) 0x86});
    if (copyManager) {
      pages.write(CopyResults.THIRD_PARTY_COPY_PAGE);
    }
    if (block) {
      pages.write(0xB0);
      pages.write(0xB1);
      if (backend != null && Unmap.thin(backend)) {
        pages.write(0xB2);
      }
    }
    return pages.toByteArray();
  }

  private static boolean contains(byte[] pages, int page) {
    for (byte p : pages) {
      if ((p & 0xFF) == page) {
        return true;
      }
    }
    return false;
  }

  /**
   * VPD 83h: the NAA designator, a T10 vendor ID designator and, when configured, an EUI-64
   * designator of the logical unit, then the designators of the target port the command came
   * through.
   */
  private static byte[] deviceIdentification(DeviceIdentity id, byte[] port) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x01); // binary code set
    out.write(0x03); // associated with the logical unit, NAA
    out.write(0);
    out.write(id.naa().length);
    out.writeBytes(id.naa());
    byte[] t10 = (new String(padded(id.vendor(), 8), StandardCharsets.US_ASCII) + id.deviceId())
        .getBytes(StandardCharsets.US_ASCII);
    out.write(0x02); // ASCII code set
    out.write(0x01); // associated with the logical unit, T10 vendor ID
    out.write(0);
    out.write(t10.length);
    out.writeBytes(t10);
    if (id.eui64() != null) {
      out.write(0x01); // binary code set
      out.write(0x02); // associated with the logical unit, EUI-64
      out.write(0);
      out.write(id.eui64().length);
      out.writeBytes(id.eui64());
    }
    out.writeBytes(port);
    return out.toByteArray();
  }

  /**
   * VPD 86h, Extended INQUIRY Data (SPC-4 7.8.7): the task attributes {@link TaskSet} honours
   * (HEADSUP, ORDSUP, SIMPSUP; not ACA) and V_SUP where SBC's VERIFY compares data. No
   * protection information, no non-volatile cache (NV_SUP). LUICLR stays 0: REPORTED LUNS DATA
   * HAS CHANGED is reported on each LUN, and only REPORT LUNS clears it on all of them.
   */
  private static byte[] extendedInquiry(boolean block) {
    byte[] b = new byte[0x3C];
    b[1] = 0x07;
    b[2] = (byte) (block ? 0x01 : 0);
    return b;
  }

  /** VPD B0h (SBC-3 6.5.3). */
  private static byte[] blockLimits(BlockBackend backend) {
    ByteBuffer b = ByteBuffer.allocate(0x3C);
    int blockSize = backend == null ? 512 : backend.blockSize();
    // WSNZ 0: a WRITE SAME of zero blocks writes to the last block.
    int physicalBlock = backend == null ? 1 : 1 << Sbc.physicalBlockExponent(backend);
    b.put(1, (byte) CompareAndWrite.MAX_BLOCKS);
    // Optimal transfer granularity: whole physical blocks, and at least a page.
    b.putShort(2, (short) Math.max(physicalBlock, 4096 / blockSize));
    b.putInt(4, Sbc.MAX_TRANSFER_BYTES / blockSize);
    b.putInt(8, (1 << 20) / blockSize); // optimal transfer length
    if (backend != null && Unmap.thin(backend)) {
      b.putInt(16, (int) Unmap.MAX_BLOCKS);
      b.putInt(20, Unmap.MAX_DESCRIPTORS);
      // Optimal unmap granularity: a physical block, aligned as they are (from LBA 0: UGAVALID,
      // alignment 0).
      b.putInt(24, physicalBlock);
      b.putInt(28, 0x8000_0000);
    }
    b.putLong(32, WriteSame.MAX_BLOCKS);
    // SBC-4 atomic limits: no alignment, granularity or boundary requirement.
    b.putInt(40, WriteAtomic.maxBlocks(blockSize));
    return b.array();
  }

  /**
   * VPD B1h (SBC-4 6.6.2): rotation rate 1 means a non-rotating medium; WABEREQ 01b that reads
   * after a sanitize block erase succeed (the blocks read as zeros).
   */
  private static byte[] blockDeviceCharacteristics(BlockBackend backend) {
    ByteBuffer b = ByteBuffer.allocate(0x3C);
    b.putShort(0, (short) (backend != null && backend.rotational() ? 0 : 1));
    if (backend != null && Sanitize.blockErase(backend)) {
      b.put(3, (byte) 0x40);
    }
    return b.array();
  }

  private static byte[] padded(String s, int length) {
    byte[] out = new byte[length];
    java.util.Arrays.fill(out, (byte) ' ');
    byte[] text = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(text, 0, out, 0, Math.min(length, text.length));
    return out;
  }

  /** REPORT LUNS (SPC-4 6.33); this device server has no well-known logical units. */
  static void reportLuns(CoreTask task) throws SenseException {
    byte[] cdb = task.cdb();
    int select = Cdb.u8(cdb, 2);
    if (select > 2) {
      throw Cdb.invalidField(2, -1);
    }
    long allocation = Cdb.u32(cdb, 6);
    if (allocation < 16) {
      throw Cdb.invalidField(6, -1);
    }
    // The initiator now knows the LUN inventory (SPC-4 6.33).
    task.session.attentions.clearEverywhere(Sense.REPORTED_LUNS_DATA_HAS_CHANGED);
    var luns = select == 1 ? Map.<Long, Lun>of() : task.session.luns();
    ByteBuffer b = ByteBuffer.allocate(8 + 8 * luns.size());
    b.putInt(8 * luns.size()).putInt(0);
    for (long n : luns.keySet()) {
      b.putLong(encodeLun(n));
    }
    task.respond(b.array(), (int) Math.min(allocation, Integer.MAX_VALUE));
  }

  /** Single level LUN structure (SAM-5 4.7): peripheral addressing below 256, flat above. */
  static long encodeLun(long lun) {
    long first = lun < 256 ? lun << 48 : (0x4000L | lun) << 48;
    return first;
  }

  /**
   * REQUEST SENSE (SPC-4 6.39): the sense in fixed or, with DESC, descriptor format; the DESC
   * bit decides here, where D_SENSE decides for sense returned with CHECK CONDITION.
   */
  static void requestSense(CoreTask task, Sense sense) throws SenseException {
    byte[] cdb = task.cdb();
    if ((cdb[1] & 0xFE) != 0) {
      throw Cdb.invalidField(1, -1);
    }
    task.respond(sense.inFormat((cdb[1] & 0x01) != 0).toBytes(), Cdb.u8(cdb, 4));
  }
}
