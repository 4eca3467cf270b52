package io.karst.core.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.device.DeviceException;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import io.karst.core.internal.ModeStore.Values;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;

/**
 * Mode parameters of a block device (SPC-4 6.9 to 6.12, 7.5; SBC-3 6.4): MODE SENSE (6, 10)
 * reports the read-write error recovery, caching, control and informational exceptions
 * control pages with a block descriptor, MODE SELECT (6, 10) takes them back.
 *
 * <p>Changeable, as in SCST's vdisk: WCE in the caching page when the backend can switch its
 * write cache ({@link BlockBackend#writeCacheChangeable()}: not with {@code nv_cache}); D_SENSE
 * (descriptor format sense), QERR (00b, 01b or 11b: what a CHECK CONDITION does to the other
 * tasks, {@link TaskManagement#checkCondition}), SWP (software write protection) and TAS (TASK
 * ABORTED status for another nexus's aborted tasks, {@link TaskManagement#abort}) in the control
 * page; and the reporting controls of the {@link InformationalExceptions} page. The rest of
 * the control page describes what the pipeline does. MODE SELECT accepts a parameter list that
 * restates the current values, as initiators send when they save a page they have just read,
 * with changeable fields changed, and refuses any other change with INVALID FIELD IN PARAMETER
 * LIST pointing at the first byte that differs; nothing changes unless the whole list is valid.
 * A change of the current values tells the other nexuses MODE PARAMETERS CHANGED.
 *
 * <p>All four page controls are reported: current, changeable, default (as the device is
 * configured: WCE as the backend opened, the rest zero but DEXCPT) and saved. The caching
 * page (when WCE is changeable), the control page and the informational exceptions page are
 * saveable (PS): MODE SELECT with SP saves their values in the device's {@link ModeStore}
 * after applying the list, and the saved values become the current ones when the device is
 * created (power on) and at a logical unit reset, as SCST restores them. Nothing is saved
 * unless SP is set.
 */
final class ModePages {

  private static final System.Logger LOG = System.getLogger(ModePages.class.getName());

  static final int MODE_SELECT_6 = 0x15;
  static final int MODE_SENSE_6 = 0x1A;
  static final int MODE_SELECT_10 = 0x55;
  static final int MODE_SENSE_10 = 0x5A;

  private static final int PAGE_READ_WRITE_ERROR_RECOVERY = 0x01;
  private static final int PAGE_CACHING = 0x08;
  private static final int PAGE_CONTROL = 0x0A;
  private static final int PAGE_EXCEPTIONS = InformationalExceptions.MODE_PAGE;
  private static final int PAGE_ALL = 0x3F;
  /** Page control values of MODE SENSE's PC field (SPC-4 table 196). */
  private static final int CURRENT = 0;
  private static final int CHANGEABLE = 1;
  private static final int DEFAULT = 2;
  /** PS, in a page's first byte: the page is saveable. */
  private static final int PS = 0x80;
  /** WCE: byte 2, bit 2 of the caching page. */
  private static final int WCE_BYTE = 2;
  private static final int WCE = 0x04;
  /** SWP: byte 4, bit 3 of the control page. */
  private static final int SWP_BYTE = 4;
  private static final int SWP = 0x08;
  /** D_SENSE: byte 2, bit 2 of the control page. */
  private static final int D_SENSE_BYTE = 2;
  private static final int D_SENSE = 0x04;
  /** QERR: byte 3, bits 2 and 1 of the control page; 10b is reserved. */
  private static final int QERR_BYTE = 3;
  private static final int QERR = 0x06;
  private static final int QERR_RESERVED = 2;
  /** TAS: byte 5, bit 6 of the control page. */
  private static final int TAS_BYTE = 5;
  private static final int TAS = 0x40;

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
    if (subpage != 0 && !(subpage == 0xFF && page == PAGE_ALL)) {
      throw Cdb.invalidField(3, -1);
    }
    Values values = control == CHANGEABLE ? null : values(control, lun.device(), backend);
    ByteArrayOutputStream pages = new ByteArrayOutputStream();
    switch (page) {
      case PAGE_READ_WRITE_ERROR_RECOVERY, PAGE_CACHING, PAGE_CONTROL, PAGE_EXCEPTIONS ->
          pages.writeBytes(page(page, backend, values));
      case PAGE_ALL -> {
        pages.writeBytes(page(PAGE_READ_WRITE_ERROR_RECOVERY, backend, values));
        pages.writeBytes(page(PAGE_CACHING, backend, values));
        pages.writeBytes(page(PAGE_CONTROL, backend, values));
        pages.writeBytes(page(PAGE_EXCEPTIONS, backend, values));
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
   * MODE SELECT(6) and (10) (SPC-4 6.9, 6.10): the parameter list is collected, checked
   * against the current values, then applied, and with SP saved.
   */
  static void select(CoreTask task, Lun lun, BlockBackend backend) throws SenseException {
    byte[] cdb = task.cdb();
    boolean ten = Cdb.u8(cdb, 0) == MODE_SELECT_10;
    if ((cdb[1] & 0xEE) != 0) {
      throw Cdb.invalidField(1, -1);
    }
    boolean save = (cdb[1] & 0x01) != 0;
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
        // One MODE SELECT at a time per device: each checks against what the last one left.
        synchronized (device.modes) {
          Values before = current(device, backend);
          apply(device, backend, before, check(data, ten, before, backend, save), save);
          if (!before.equals(current(device, backend))) {
            // Mode parameters are shared by every nexus (SPC-4 7.5.1): the others learn of it.
            UnitAttention.raise(device, UnitAttention.MODE_PARAMETERS_CHANGED, task.session);
          }
        }
        task.good();
      } catch (SenseException e) {
        task.fail(e.sense());
      }
    });
  }

  /**
   * Checks a MODE SELECT parameter list: header, block descriptor, then each page. Returns the
   * values it selects, to apply once all of it is known to be valid. With SP, every page in
   * the list must be saveable.
   */
  private static Values check(ByteBuffer list, boolean ten, Values current,
      BlockBackend backend, boolean save) throws SenseException {
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
    Boolean writeCache = current.writeCache();
    boolean descriptorSense = current.descriptorSense();
    boolean swp = current.softwareWriteProtect();
    int qerr = current.queueErrorManagement();
    boolean tas = current.taskAbortedStatus();
    byte[] exceptions = current.exceptions();
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
      byte[] now = page(code, backend, current);
      byte[] changeable = page(code, backend, null);
      if (save && (now[0] & PS) == 0) {
        throw Cdb.invalidParameter(at, -1); // SP, and a page whose values cannot be saved
      }
      if (pageLength != now.length - 2) {
        throw Cdb.invalidParameter(at + 1, -1);
      }
      if (at + 2 + pageLength > end) {
        throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
      }
      for (int i = 2; i < now.length; i++) {
        if ((list.get(at + i) & ~changeable[i]) != (now[i] & ~changeable[i])) {
          throw Cdb.invalidParameter(at + i, -1);
        }
      }
      if (code == PAGE_CACHING) {
        writeCache = (list.get(at + WCE_BYTE) & WCE) != 0;
      } else if (code == PAGE_CONTROL) {
        int q = (list.get(at + QERR_BYTE) & QERR) >>> 1;
        if (q == QERR_RESERVED) {
          throw Cdb.invalidParameter(at + QERR_BYTE, 2);
        }
        qerr = q;
        descriptorSense = (list.get(at + D_SENSE_BYTE) & D_SENSE) != 0;
        swp = (list.get(at + SWP_BYTE) & SWP) != 0;
        tas = (list.get(at + TAS_BYTE) & TAS) != 0;
      } else if (code == PAGE_EXCEPTIONS) {
        if (InformationalExceptions.reservedMrie(list.get(at + 3) & 0x0F)) {
          throw Cdb.invalidParameter(at + 3, -1);
        }
        exceptions = new byte[pageLength];
        list.get(at + 2, exceptions);
      }
      at += 2 + pageLength;
    }
    return new Values(writeCache, descriptorSense, swp, qerr, tas, exceptions);
  }

  /**
   * Makes {@code next} the current values, and with {@code save} the saved ones too; on a
   * failure nothing changes. The write cache is switched first, as it is the one change that
   * can fail.
   */
  private static void apply(Device device, BlockBackend backend, Values before, Values next,
      boolean save) throws SenseException {
    boolean switchCache = !next.writeCache().equals(before.writeCache());
    try {
      if (switchCache) {
        backend.writeCacheEnabled(next.writeCache());
      }
    } catch (DeviceException e) {
      LOG.log(Level.ERROR, "device " + device.name + ": the write cache could not be switched "
          + (next.writeCache() ? "on" : "off") + "; MODE SELECT fails and nothing changes", e);
      throw new SenseException(Sense.INTERNAL_TARGET_FAILURE);
    }
    if (save) {
      try {
        device.modes.save(new Values(backend.writeCacheChangeable() ? next.writeCache() : null,
            next.descriptorSense(), next.softwareWriteProtect(), next.queueErrorManagement(),
            next.taskAbortedStatus(), next.exceptions()));
      } catch (IOException e) {
        LOG.log(Level.ERROR, "device " + device.name + ": the mode parameters could not be "
            + "saved to " + device.modes.file() + "; MODE SELECT fails and nothing changes", e);
        if (switchCache) {
          switchCache(device, backend, before.writeCache());
        }
        throw new SenseException(Sense.INTERNAL_TARGET_FAILURE);
      }
    }
    if (switchCache) {
      device.writeCache = next.writeCache();
    }
    take(device, next);
  }

  /** Makes the control and informational exceptions values of {@code v} the current ones. */
  private static void take(Device device, Values v) {
    device.descriptorSense = v.descriptorSense();
    device.softwareWriteProtect = v.softwareWriteProtect();
    device.queueErrorManagement = v.queueErrorManagement();
    device.taskAbortedStatus = v.taskAbortedStatus();
    device.exceptions.values(v.exceptions());
  }

  /**
   * The saved values become the current ones, or the default ones when nothing was saved: when
   * the device is created, as at power on (SPC-4 6.9), and at a logical unit reset.
   */
  static void restoreSaved(Device device) {
    synchronized (device.modes) {
      Values saved = device.modes.saved();
      device.writeCache = saved == null ? null : saved.writeCache();
      BlockBackend backend = device.backend() instanceof BlockBackend b ? b : null;
      take(device, saved(device, backend));
      if (backend != null) {
        switchCache(device, backend, device.writeCache != null ? device.writeCache
            : device.configuredWriteCache);
      }
    }
  }

  /**
   * A backend has opened: its write cache is the configured one (the default WCE), and is
   * switched to what an initiator selected or saved.
   */
  static void opened(Device device, BlockBackend backend) {
    device.configuredWriteCache = backend.writeCacheEnabled();
    Boolean selected = device.writeCache;
    if (selected != null) {
      switchCache(device, backend, selected);
    }
  }

  /** Switches the backend's write cache, where it can and is not as wanted already. */
  private static void switchCache(Device device, BlockBackend backend, boolean enabled) {
    if (!backend.writeCacheChangeable() || backend.writeCacheEnabled() == enabled) {
      return;
    }
    try {
      backend.writeCacheEnabled(enabled);
    } catch (DeviceException e) {
      LOG.log(Level.ERROR, "device " + device.name + ": the write cache could not be switched "
          + (enabled ? "on" : "off") + "; it stays " + (enabled ? "off" : "on"), e);
    }
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

  /** The values a page control other than changeable reports. */
  private static Values values(int control, Device device, BlockBackend backend) {
    return switch (control) {
      case CURRENT -> current(device, backend);
      case DEFAULT -> defaults(device);
      default -> saved(device, backend);
    };
  }

  private static Values current(Device device, BlockBackend backend) {
    return new Values(backend.writeCacheEnabled(), device.descriptorSense,
        device.softwareWriteProtect, device.queueErrorManagement, device.taskAbortedStatus,
        device.exceptions.values());
  }

  /** The values the device has until an initiator changes them: as configured. */
  private static Values defaults(Device device) {
    return new Values(device.configuredWriteCache, false, false, 0, false,
        InformationalExceptions.defaults());
  }

  /**
   * What was saved last, the defaults when nothing was; WCE as configured unless it was saved
   * and the backend (null while there is none) can switch its cache.
   */
  private static Values saved(Device device, BlockBackend backend) {
    Values s = device.modes.saved();
    if (s == null) {
      return defaults(device);
    }
    boolean savedCache = s.writeCache() != null
        && (backend == null || backend.writeCacheChangeable());
    return savedCache ? s : new Values(device.configuredWriteCache,
        s.descriptorSense(), s.softwareWriteProtect(), s.queueErrorManagement(),
        s.taskAbortedStatus(), s.exceptions());
  }

  /** A page with {@code values}, or its changeable mask when {@code values} is null. */
  private static byte[] page(int code, BlockBackend backend, Values values) {
    if (code == PAGE_EXCEPTIONS) {
      byte[] p = InformationalExceptions.modePage(values == null ? null : values.exceptions());
      p[0] |= (byte) PS;
      return p;
    }
    byte[] p = code == PAGE_CACHING ? new byte[20] : new byte[12];
    p[0] = (byte) code;
    p[1] = (byte) (p.length - 2);
    if (code == PAGE_READ_WRITE_ERROR_RECOVERY) {
      // Read-Write Error Recovery page (SBC-3 6.4.9): the backing store does its own error
      // recovery and a virtual medium has no defects to reallocate, so every field is zero
      // (AWRE and ARRE off, no retries of Karst's own), and none is changeable or saved.
      return p;
    }
    if (code == PAGE_CACHING) {
      // Caching page (SBC-3 6.4.5): WCE, saveable where it is changeable.
      boolean changeable = backend.writeCacheChangeable();
      p[0] |= (byte) (changeable ? PS : 0);
      boolean wce = values == null ? changeable : values.writeCache();
      p[WCE_BYTE] = (byte) (wce ? WCE : 0);
      return p;
    }
    p[0] |= (byte) PS;
    if (values == null) {
      p[D_SENSE_BYTE] = (byte) D_SENSE;
      p[QERR_BYTE] = (byte) QERR;
      p[SWP_BYTE] = (byte) SWP;
      p[TAS_BYTE] = (byte) TAS;
      return p;
    }
    // Control page (SPC-4 7.5.8): unrestricted reordering of SIMPLE tasks, sense in the
    // format D_SENSE selects, no busy timeout limit.
    p[D_SENSE_BYTE] = (byte) (values.descriptorSense() ? D_SENSE : 0);
    p[QERR_BYTE] = (byte) (0x10 | values.queueErrorManagement() << 1);
    p[SWP_BYTE] = (byte) (values.softwareWriteProtect() ? SWP : 0);
    p[TAS_BYTE] = (byte) (values.taskAbortedStatus() ? TAS : 0);
    p[8] = (byte) 0xFF;
    p[9] = (byte) 0xFF;
    return p;
  }
}
