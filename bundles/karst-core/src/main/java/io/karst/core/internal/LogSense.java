package io.karst.core.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.scsi.SenseException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * LOG SENSE (SPC-4 6.6) and the log pages of a block device: Supported Log Pages (00h) and
 * Supported Log Pages and Subpages (00h/FFh), Logical Block Provisioning (0Ch, SBC-4 6.4.4) on
 * thin backends, and Informational Exceptions (2Fh). Nothing is saved (DS set, SP refused), and
 * no parameter is resettable, so every page control reports the current values.
 */
final class LogSense {

  static final int LOG_SENSE = 0x4D;
  private static final int SUPPORTED_PAGES = 0x00;
  private static final int PROVISIONING = 0x0C;
  private static final int ALL_SUBPAGES = 0xFF;
  /** Format and linking 11b: a binary parameter, as every parameter here is. */
  private static final int BINARY = 0x03;
  /** SCOPE 10b: the resource is not dedicated to this logical unit (a shared file system). */
  private static final int NOT_DEDICATED = 0x02;
  /** Available LBA Mapping Resource Count, the first provisioning parameter. */
  private static final int AVAILABLE_RESOURCES = 0x0001;
  /**
   * LBA mapping resources are counted in threshold sets of 1 MiB, whatever the block size; the
   * Logical Block Provisioning VPD page reports the exponent that says so.
   */
  private static final int SET_BYTES_SHIFT = 20;

  private LogSense() {}

  /** The THRESHOLD EXPONENT of a device of this block size: a set of 1 MiB. */
  static int thresholdExponent(int blockSize) {
    return SET_BYTES_SHIFT - Integer.numberOfTrailingZeros(blockSize);
  }

  static void execute(CoreTask task, Lun lun, BlockBackend backend) throws SenseException {
    byte[] cdb = task.cdb();
    if ((cdb[1] & 0x01) != 0) {
      throw Cdb.invalidField(1, 0); // SP: no log parameter is saved
    }
    if ((cdb[1] & 0x02) != 0) {
      throw Cdb.invalidField(1, 1); // PPC, obsolete
    }
    int page = cdb[2] & 0x3F;
    int subpage = Cdb.u8(cdb, 3);
    int pointer = Cdb.u16(cdb, 5);
    int allocation = Cdb.u16(cdb, 7);
    boolean thin = Unmap.thin(backend);
    byte[] body;
    if (page == SUPPORTED_PAGES && subpage == 0) {
      body = thin ? new byte[] {SUPPORTED_PAGES, PROVISIONING, InformationalExceptions.LOG_PAGE}
          : new byte[] {SUPPORTED_PAGES, InformationalExceptions.LOG_PAGE};
    } else if (page == SUPPORTED_PAGES && subpage == ALL_SUBPAGES) {
      ByteArrayOutputStream pairs = new ByteArrayOutputStream();
      pairs.writeBytes(new byte[] {SUPPORTED_PAGES, 0, SUPPORTED_PAGES, (byte) ALL_SUBPAGES});
      if (thin) {
        pairs.writeBytes(new byte[] {PROVISIONING, 0});
      }
      pairs.writeBytes(new byte[] {InformationalExceptions.LOG_PAGE, 0});
      body = pairs.toByteArray();
    } else if (subpage != 0) {
      throw Cdb.invalidField(3, -1);
    } else if (page == PROVISIONING && thin) {
      body = parametersFrom(provisioning(backend), pointer);
    } else if (page == InformationalExceptions.LOG_PAGE) {
      body = parametersFrom(InformationalExceptions.logParameters(), pointer);
    } else {
      throw Cdb.invalidField(2, 5);
    }
    ByteBuffer out = ByteBuffer.allocate(4 + body.length);
    // DS: parameters are not saved; SPF for the subpage listing.
    out.put((byte) (0x80 | (subpage != 0 ? 0x40 : 0) | page)).put((byte) subpage)
        .putShort((short) body.length).put(body);
    task.respond(out.array(), allocation);
  }

  /**
   * The Logical Block Provisioning parameters the backend can tell: how many LBA mapping
   * resources are left, in threshold sets.
   */
  private static byte[] provisioning(BlockBackend backend) {
    long available = backend.availableBytes();
    if (available < 0) {
      return new byte[0];
    }
    long sets = Math.min(available >>> SET_BYTES_SHIFT, 0xFFFF_FFFFL);
    ByteBuffer b = ByteBuffer.allocate(12);
    b.putShort((short) AVAILABLE_RESOURCES).put((byte) BINARY).put((byte) 8)
        .putInt((int) sets).put((byte) NOT_DEDICATED);
    return b.array();
  }

  /**
   * The parameters whose codes are at least the PARAMETER POINTER; a pointer past the last
   * code is an invalid field.
   */
  private static byte[] parametersFrom(byte[] parameters, int pointer) throws SenseException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int last = -1;
    for (int at = 0; at < parameters.length; at += 4 + (parameters[at + 3] & 0xFF)) {
      int code = ((parameters[at] & 0xFF) << 8) | (parameters[at + 1] & 0xFF);
      last = code;
      if (code >= pointer) {
        out.write(parameters, at, 4 + (parameters[at + 3] & 0xFF));
      }
    }
    if (pointer > Math.max(last, 0)) {
      throw Cdb.invalidField(5, -1);
    }
    return out.toByteArray();
  }
}
