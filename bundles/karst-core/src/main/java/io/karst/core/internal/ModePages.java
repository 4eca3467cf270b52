package io.karst.core.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Mode parameters of a block device (SPC-4 6.9 to 6.12, 7.5; SBC-3 6.4): MODE SENSE (6, 10)
 * reports the read-write error recovery, caching, control and informational exceptions
 * control pages with a block descriptor, MODE SELECT (6, 10) takes them back.
 *
 * <p>Changeable are SWP (software write protection) and D_SENSE (descriptor format sense) in
 * the control page, and the reporting controls of the {@link InformationalExceptions} page.
 * WCE follows the backend (a file opened with or without write-through), and the rest of the
 * control page describes what the pipeline does. So MODE SELECT accepts a parameter list that
 * restates the current values, as initiators send when they save a page they have just read,
 * with changeable fields changed, and refuses any other change with INVALID FIELD IN PARAMETER
 * LIST pointing at the first byte that differs; nothing changes unless the whole list is valid.
 * Saved values do not exist (SAVING PARAMETERS NOT SUPPORTED).
 */
final class ModePages {

  static final int MODE_SELECT_6 = 0x15;
  static final int MODE_SENSE_6 = 0x1A;
  static final int MODE_SELECT_10 = 0x55;
  static final int MODE_SENSE_10 = 0x5A;

  private static final int PAGE_READ_WRITE_ERROR_RECOVERY = 0x01;
  private static final int PAGE_CACHING = 0x08;
  private static final int PAGE_CONTROL = 0x0A;
  private static final int PAGE_EXCEPTIONS = InformationalExceptions.MODE_PAGE;
  private static final int PAGE_ALL = 0x3F;
  /** Page control values of MODE SENSE's PC field. */
  private static final int CHANGEABLE = 1;
  private static final int SAVED = 3;
  /** SWP: byte 4, bit 3 of the control page. */
  private static final int SWP_BYTE = 4;
  private static final int SWP = 0x08;
  /** D_SENSE: byte 2, bit 2 of the control page. */
  private static final int D_SENSE_BYTE = 2;
  private static final int D_SENSE = 0x04;
  /** The last MRIE value that is not reserved (SPC-4 table 443). */
  private static final int MRIE_ON_REQUEST = 0x06;

  private ModePages() {}

  /** MODE SENSE(6) and (10) (SPC-4 6.11, 6.12). */
  static void sense(CoreTask task, Lun lun, BlockBackend backend) throws SenseException {
    byte[] cdb = task.cdb();
    boolean ten = Cdb.u8(cdb, 0) == MODE_SENSE_10;
    boolean dbd = (cdb[1] & 0x08) != 0;
    boolean longLba = ten && (cdb[1] & 0x10) != 0;
    int control = Cdb.u8(cdb, 2) >>> 6;
    int page = cdb[2] & 0x3F;
    int subpage = Cdb.u8(cdb, 3);
    int allocation = ten ? Cdb.u16(cdb, 7) : Cdb.u8(cdb, 4);
    if (control == SAVED) {
      throw new SenseException(Sense.SAVING_PARAMETERS_NOT_SUPPORTED);
    }
    if (subpage != 0 && !(subpage == 0xFF && page == PAGE_ALL)) {
      throw Cdb.invalidField(3, -1);
    }
    boolean changeable = control == CHANGEABLE;
    ByteArrayOutputStream pages = new ByteArrayOutputStream();
    switch (page) {
      case PAGE_READ_WRITE_ERROR_RECOVERY, PAGE_CACHING, PAGE_CONTROL, PAGE_EXCEPTIONS ->
          pages.writeBytes(page(page, lun.device(), backend, changeable));
      case PAGE_ALL -> {
        pages.writeBytes(page(PAGE_READ_WRITE_ERROR_RECOVERY, lun.device(), backend,
            changeable));
        pages.writeBytes(page(PAGE_CACHING, lun.device(), backend, changeable));
        pages.writeBytes(page(PAGE_CONTROL, lun.device(), backend, changeable));
        pages.writeBytes(page(PAGE_EXCEPTIONS, lun.device(), backend, changeable));
      }
      default -> throw Cdb.invalidField(2, 5);
    }
    long blocks = backend.blockCount();
    int descriptorLength = dbd ? 0 : longLba ? 16 : 8;
    int header = ten ? 8 : 4;
    ByteBuffer b = ByteBuffer.allocate(header + descriptorLength + pages.size());
    int deviceSpecific = (lun.writeProtected() ? 0x80 : 0) | 0x10; // WP, DPOFUA
    if (ten) {
      b.putShort((short) (b.capacity() - 2)).put((byte) 0).put((byte) deviceSpecific);
      b.put((byte) (longLba ? 1 : 0)).put((byte) 0).putShort((short) descriptorLength);
    } else {
      b.put((byte) (b.capacity() - 1)).put((byte) 0).put((byte) deviceSpecific);
      b.put((byte) descriptorLength);
    }
    if (descriptorLength == 8) {
      b.putInt((int) Math.min(blocks, 0xFFFFFFFFL)).putInt(backend.blockSize());
    } else if (descriptorLength == 16) {
      b.putLong(blocks).putInt(0).putInt(backend.blockSize());
    }
    b.put(pages.toByteArray());
    task.respond(b.array(), allocation);
  }

  /**
   * MODE SELECT(6) and (10) (SPC-4 6.9, 6.10): the parameter list is collected, then checked
   * against the current values; SP is refused since nothing can be saved.
   */
  static void select(CoreTask task, Lun lun, BlockBackend backend) throws SenseException {
    byte[] cdb = task.cdb();
    boolean ten = Cdb.u8(cdb, 0) == MODE_SELECT_10;
    if ((cdb[1] & 0xEE) != 0) {
      throw Cdb.invalidField(1, -1);
    }
    if ((cdb[1] & 0x01) != 0) {
      throw Cdb.invalidField(1, 0);
    }
    int length = ten ? Cdb.u16(cdb, 7) : Cdb.u8(cdb, 4);
    int header = ten ? 8 : 4;
    if (length == 0) {
      task.good();
      return;
    }
    if (length < header) {
      throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
    }
    task.receive(length, data -> {
      try {
        if (data.remaining() < length) {
          throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
        }
        Device device = lun.device();
        List<Runnable> changes = check(data, ten, device, backend);
        byte[] before = changeableValues(device, backend);
        changes.forEach(Runnable::run);
        if (!java.util.Arrays.equals(before, changeableValues(device, backend))) {
          // Mode parameters are shared by every nexus (SPC-4 7.5.1): the others learn of it.
          UnitAttention.raise(device, UnitAttention.MODE_PARAMETERS_CHANGED, task.session);
        }
        task.good();
      } catch (SenseException e) {
        task.fail(e.sense());
      }
    });
  }

  /**
   * Checks a MODE SELECT parameter list: header, block descriptor, then each page. Returns the
   * changes the list makes, to apply once all of it is known to be valid.
   */
  private static List<Runnable> check(ByteBuffer list, boolean ten, Device device,
      BlockBackend backend) throws SenseException {
    List<Runnable> changes = new ArrayList<>();
    int end = list.limit();
    int header = ten ? 8 : 4;
    int mediumType = list.get(ten ? 2 : 1);
    if (mediumType != 0) {
      throw Cdb.invalidParameter(ten ? 2 : 1, -1);
    }
    boolean longLba = ten && (list.get(4) & 0x01) != 0;
    int descriptorLength = ten ? list.getShort(6) & 0xFFFF : list.get(3) & 0xFF;
    if (descriptorLength != 0 && descriptorLength != (longLba ? 16 : 8)) {
      throw Cdb.invalidParameter(ten ? 6 : 3, -1);
    }
    if (header + descriptorLength > end) {
      throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
    }
    if (descriptorLength > 0) {
      checkDescriptor(list, header, longLba, backend);
    }
    int at = header + descriptorLength;
    while (at < end) {
      if (at + 2 > end) {
        throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
      }
      // PS is reserved in MODE SELECT, but initiators send back what MODE SENSE gave them.
      int code = list.get(at) & 0x7F;
      int pageLength = list.get(at + 1) & 0xFF;
      if (code != PAGE_READ_WRITE_ERROR_RECOVERY && code != PAGE_CACHING
          && code != PAGE_CONTROL && code != PAGE_EXCEPTIONS) {
        throw Cdb.invalidParameter(at, -1); // an unknown page, or a subpage (SPF set)
      }
      byte[] current = page(code, device, backend, false);
      byte[] changeable = page(code, device, backend, true);
      if (pageLength != current.length - 2) {
        throw Cdb.invalidParameter(at + 1, -1);
      }
      if (at + 2 + pageLength > end) {
        throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
      }
      for (int i = 2; i < current.length; i++) {
        if ((list.get(at + i) & ~changeable[i]) != (current[i] & ~changeable[i])) {
          throw Cdb.invalidParameter(at + i, -1);
        }
      }
      if (code == PAGE_CONTROL) {
        boolean swp = (list.get(at + SWP_BYTE) & SWP) != 0;
        boolean descriptor = (list.get(at + D_SENSE_BYTE) & D_SENSE) != 0;
        changes.add(() -> {
          device.softwareWriteProtect = swp;
          device.descriptorSense = descriptor;
        });
      } else if (code == PAGE_EXCEPTIONS) {
        if ((list.get(at + 3) & 0x0F) > MRIE_ON_REQUEST) {
          throw Cdb.invalidParameter(at + 3, -1);
        }
        ByteBuffer page = list.duplicate();
        page.position(at).limit(at + 2 + pageLength);
        ByteBuffer values = ByteBuffer.allocate(page.remaining()).put(page).flip();
        changes.add(() -> device.exceptions.select(values, 0));
      }
      at += 2 + pageLength;
    }
    return changes;
  }

  /**
   * A block descriptor may restate the block size, and the capacity or zero (which SBC-3
   * 6.4.2 reads as "no change"); anything else would reformat the medium.
   */
  private static void checkDescriptor(ByteBuffer list, int at, boolean longLba,
      BlockBackend backend) throws SenseException {
    long blocks = longLba ? list.getLong(at) : list.getInt(at) & 0xFFFFFFFFL;
    long current = longLba ? backend.blockCount() : Math.min(backend.blockCount(), 0xFFFFFFFFL);
    if (blocks != 0 && blocks != current) {
      throw Cdb.invalidParameter(at, -1);
    }
    int sizeAt = longLba ? at + 12 : at + 5;
    int size = longLba ? list.getInt(sizeAt) : list.getInt(at + 4) & 0xFFFFFF;
    if (size != backend.blockSize()) {
      throw Cdb.invalidParameter(sizeAt, -1);
    }
  }

  /** The current values of the pages MODE SELECT can change, to tell whether it did. */
  private static byte[] changeableValues(Device device, BlockBackend backend) {
    byte[] control = page(PAGE_CONTROL, device, backend, false);
    byte[] exceptions = page(PAGE_EXCEPTIONS, device, backend, false);
    byte[] both = java.util.Arrays.copyOf(control, control.length + exceptions.length);
    System.arraycopy(exceptions, 0, both, control.length, exceptions.length);
    return both;
  }

  /** A page's current values, or its changeable mask. */
  private static byte[] page(int code, Device device, BlockBackend backend, boolean changeable) {
    if (code == PAGE_EXCEPTIONS) {
      return device.exceptions.modePage(changeable);
    }
    byte[] p = code == PAGE_CACHING ? new byte[20] : new byte[12];
    p[0] = (byte) code;
    p[1] = (byte) (p.length - 2);
    if (code == PAGE_READ_WRITE_ERROR_RECOVERY) {
      // Read-Write Error Recovery page (SBC-3 6.4.9): the backing store does its own error
      // recovery and a virtual medium has no defects to reallocate, so every field is zero
      // (AWRE and ARRE off, no retries of Karst's own), and none is changeable.
      return p;
    }
    if (changeable) {
      if (code == PAGE_CONTROL) {
        p[SWP_BYTE] = (byte) SWP;
        p[D_SENSE_BYTE] = (byte) D_SENSE;
      }
      return p;
    }
    if (code == PAGE_CACHING) {
      // Caching page (SBC-3 6.4.5): WCE as the backend reports it.
      p[2] = (byte) (backend.writeCacheEnabled() ? 0x04 : 0);
    } else {
      // Control page (SPC-4 7.5.8): unrestricted reordering of SIMPLE tasks, sense in the
      // format D_SENSE selects, no busy timeout limit.
      p[D_SENSE_BYTE] = (byte) (device.descriptorSense ? D_SENSE : 0);
      p[3] = 0x10;
      p[SWP_BYTE] = (byte) (device.softwareWriteProtect ? SWP : 0);
      p[8] = (byte) 0xFF;
      p[9] = (byte) 0xFF;
    }
    return p;
  }
}
