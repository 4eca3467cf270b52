package io.karst.core.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import java.nio.ByteBuffer;

/**
 * FORMAT UNIT (SBC-3 5.3) of a virtual medium: there are no defects to manage and no
 * protection information to set up, so what is left of formatting is the device server's
 * default initialization pattern. On a thin backend that is every block deallocated, which
 * reads as zeros (LBPRZ), as SCST's vdisk does; a fully provisioned backend keeps its data,
 * the pattern the standard leaves to the vendor, rather than writing the whole backing file.
 *
 * <p>Accepted: FMTDATA 0, or a parameter list header (short or long, with LONGLIST) with no
 * defect list and no initialization pattern; FOV 1 with DPRY, DCRT or STPF, which only say
 * what to do with defect lists. Refused: protection information (FMTPINFO, PROTECTION FIELD
 * USAGE, P_I_INFORMATION), a defect list, an initialization pattern (IP), and the bits FOV 0
 * says must be zero. IMMED is honoured trivially: status comes once formatting is done.
 */
final class FormatUnit {

  static final int FORMAT_UNIT = 0x04;

  private FormatUnit() {}

  static void execute(CoreTask task, Lun lun, BlockBackend backend) throws SenseException {
    byte[] cdb = task.cdb();
    if ((cdb[1] & 0xC0) != 0) {
      throw Cdb.invalidField(1, 7); // FMTPINFO: no protection information
    }
    if (lun.writeProtected()) {
      throw new SenseException(Sense.WRITE_PROTECTED);
    }
    boolean formatData = (cdb[1] & 0x10) != 0;
    if (!formatData) {
      format(task, lun, backend);
      return;
    }
    boolean longList = (cdb[1] & 0x20) != 0;
    int header = longList ? 8 : 4;
    task.receive(header, list -> {
      try {
        checkHeader(list, longList);
        format(task, lun, backend);
      } catch (SenseException e) {
        task.fail(e.sense());
      }
    });
  }

  private static void checkHeader(ByteBuffer list, boolean longList) throws SenseException {
    int header = longList ? 8 : 4;
    if (list.remaining() < header) {
      throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
    }
    if ((list.get(0) & 0x07) != 0) {
      throw Cdb.invalidParameter(0, 2); // PROTECTION FIELD USAGE
    }
    int flags = list.get(1) & 0xFF;
    boolean fov = (flags & 0x80) != 0;
    if (!fov && (flags & 0x78) != 0) {
      throw Cdb.invalidParameter(1, 6); // DPRY, DCRT, STPF and IP need FOV
    }
    if ((flags & 0x08) != 0) {
      throw Cdb.invalidParameter(1, 3); // IP: the only pattern is the default one
    }
    if (longList && list.get(3) != 0) {
      throw Cdb.invalidParameter(3, 7); // P_I_INFORMATION, PROTECTION INTERVAL EXPONENT
    }
    long defects = longList ? Integer.toUnsignedLong(list.getInt(4))
        : Short.toUnsignedInt(list.getShort(2));
    if (defects != 0) {
      throw Cdb.invalidParameter(longList ? 4 : 2, -1); // no defect list to take
    }
  }

  /**
   * The default initialization: a thin backend deallocates the whole medium, holding it
   * exclusively so that no command sees it half formatted.
   */
  private static void format(CoreTask task, Lun lun, BlockBackend backend) {
    if (!Unmap.thin(backend)) {
      task.good();
      return;
    }
    long blocks = backend.blockCount();
    lun.device().ranges.exclusive(task, 0, blocks, hold -> backend.unmap(0,
        blocks * backend.blockSize(), hold.ending(task.io(true, 0, task::good))));
  }
}
