package io.karst.vcdrom.internal;

import io.karst.api.device.CommandBackend;
import io.karst.api.device.DeviceConfig;
import io.karst.api.device.DeviceException;
import io.karst.api.device.MediumException;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.Status;
import io.karst.api.scsi.SupportedOperation;
import io.karst.api.scsi.Task;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * A CD/DVD-ROM drive (MMC-6) with an ISO image for a disc. Core answers INQUIRY, REQUEST
 * SENSE, reservations and PREVENT ALLOW MEDIUM REMOVAL for it (the device type is
 * {@link #MMC}); everything else is executed here.
 *
 * <p>The disc changes two ways: an initiator ejects and loads it (START STOP UNIT with LOEJ,
 * refused while any nexus prevents removal), and an administrator sets {@code filename}. A
 * new disc is announced by a NEW MEDIA event and a NOT READY TO READY CHANGE, MEDIUM MAY HAVE
 * CHANGED unit attention on every nexus; its removal by a MEDIA REMOVAL event, after which
 * commands that need the disc get NOT READY, MEDIUM NOT PRESENT.
 */
final class CdromBackend implements CommandBackend {

  private static final System.Logger LOG = System.getLogger(CdromBackend.class.getName());

  static final int TEST_UNIT_READY = 0x00;
  static final int START_STOP_UNIT = 0x1B;
  static final int READ_CAPACITY_10 = 0x25;
  static final int READ_10 = 0x28;
  static final int WRITE_10 = 0x2A;
  static final int WRITE_AND_VERIFY_10 = 0x2E;
  static final int SYNCHRONIZE_CACHE_10 = 0x35;
  static final int READ_TOC_PMA_ATIP = 0x43;
  static final int GET_CONFIGURATION = 0x46;
  static final int GET_EVENT_STATUS_NOTIFICATION = 0x4A;
  static final int READ_DISC_INFORMATION = 0x51;
  static final int READ_TRACK_INFORMATION = 0x52;
  static final int MAINTENANCE_IN = 0xA3;
  static final int READ_DISC_STRUCTURE = 0xAD;
  static final int READ_12 = 0xA8;
  static final int WRITE_12 = 0xAA;
  static final int SET_CD_SPEED = 0xBB;
  static final int MECHANISM_STATUS = 0xBD;

  /** The largest READ this drive serves, as core's block devices. */
  static final int MAX_TRANSFER_BYTES = 16 << 20;
  /** NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED (SPC-4 table 48). */
  private static final int MEDIUM_MAY_HAVE_CHANGED = 0x28;

  private final DeviceConfig config;
  private final MediaEvents events = new MediaEvents();
  private volatile Medium medium;

  /** Opens the drive with the disc {@code filename} names, or none. */
  CdromBackend(DeviceConfig config) throws DeviceException {
    this.config = config;
    String filename = config.attribute(VcdromHandler.FILENAME.name());
    this.medium = filename == null || filename.isEmpty() ? Medium.EMPTY
        : new Medium(Disc.open(resolve(filename)), false);
  }

  private Path resolve(String filename) {
    Path p = Path.of(filename);
    return p.isAbsolute() ? p : config.dataDirectory().resolve(p);
  }

  @Override
  public int peripheralDeviceType() {
    return MMC;
  }

  /** Core answers REPORT SUPPORTED OPERATION CODES with these and its own. */
  @Override
  public List<SupportedOperation> supportedOperations() {
    return OperationCodes.MMC;
  }

  /** Only MODE SELECT carries Data-Out; writes are refused before any is sent. */
  @Override
  public int dataOutLength(Task task) {
    int opcode = Cdb.u8(task.cdb(), 0);
    return opcode == ModePages.MODE_SELECT_6 || opcode == ModePages.MODE_SELECT_10
        ? Math.min(ModePages.parameterListLength(task.cdb()), task.expectedTransferLength())
        : 0;
  }

  @Override
  public void execute(Task task) {
    try {
      Medium m = medium;
      switch (Cdb.u8(task.cdb(), 0)) {
        case TEST_UNIT_READY -> {
          m.require();
          Cdb.good(task);
        }
        case READ_CAPACITY_10 -> readCapacity(task, m.require());
        case READ_10, READ_12 -> read(task, m.require());
        case READ_TOC_PMA_ATIP -> Toc.read(task, m.require());
        case READ_DISC_INFORMATION -> DiscInformation.readDiscInformation(task, m.require());
        case READ_TRACK_INFORMATION -> DiscInformation.readTrackInformation(task, m.require());
        case READ_DISC_STRUCTURE -> DiscStructure.read(task, m.require());
        case GET_CONFIGURATION -> Features.execute(task, m);
        case GET_EVENT_STATUS_NOTIFICATION -> events.execute(task, m);
        case MECHANISM_STATUS -> mechanismStatus(task, m);
        case ModePages.MODE_SENSE_6, ModePages.MODE_SENSE_10 ->
            ModePages.sense(task, config.mediumRemovalPrevented());
        case ModePages.MODE_SELECT_6, ModePages.MODE_SELECT_10 ->
            ModePages.select(task, config.mediumRemovalPrevented());
        case START_STOP_UNIT -> startStop(task);
        case SET_CD_SPEED -> Cdb.good(task); // an image is read at whatever speed is asked
        // Nothing is ever written, so nothing waits in a cache; QEMU flushes every device it
        // opened for writing when it closes it.
        case SYNCHRONIZE_CACHE_10 -> Cdb.good(task);
        case WRITE_10, WRITE_12, WRITE_AND_VERIFY_10 -> {
          m.require();
          throw new SenseException(Sense.WRITE_PROTECTED);
        }
        // REPORT SUPPORTED OPERATION CODES and REPORT TARGET PORT GROUPS are core's
        case MAINTENANCE_IN -> throw Cdb.invalidField(1, 4);
        default -> throw new SenseException(Sense.INVALID_COMMAND_OPERATION_CODE);
      }
    } catch (SenseException e) {
      task.complete(Status.CHECK_CONDITION, e.sense());
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, config.name() + ": command "
          + String.format("%02Xh", task.cdb()[0] & 0xFF) + " failed", e);
      task.complete(Status.CHECK_CONDITION, Sense.INTERNAL_TARGET_FAILURE);
    }
  }

  /** READ CAPACITY (10): the last sector and the sector size (MMC-6 6.23). */
  private static void readCapacity(Task task, Disc disc) throws SenseException {
    byte[] cdb = task.cdb();
    if ((cdb[8] & 0x01) == 0 && Cdb.u32(cdb, 2) != 0) {
      throw Cdb.invalidField(2, -1); // an LBA without PMI (SBC-3 5.16)
    }
    ByteBuffer b = ByteBuffer.allocate(8);
    b.putInt((int) Math.min(disc.blocks - 1, 0xFFFFFFFFL)).putInt(Disc.BLOCK_SIZE);
    Cdb.respond(task, b.array(), b.capacity());
  }

  /**
   * READ (10) and READ (12) (MMC-6 6.16, 6.17): 2048-byte sectors from the image, on the
   * device's I/O threads; an I/O error is MEDIUM ERROR, UNRECOVERED READ ERROR at the sector.
   */
  private void read(Task task, Disc disc) throws SenseException {
    byte[] cdb = task.cdb();
    boolean twelve = Cdb.u8(cdb, 0) == READ_12;
    if ((cdb[1] & 0x01) != 0) {
      throw Cdb.invalidField(1, 0); // RelAdr is obsolete
    }
    long lba = Cdb.u32(cdb, 2);
    long blocks = twelve ? Cdb.u32(cdb, 6) : Cdb.u16(cdb, 7);
    if (lba + blocks > disc.blocks) {
      throw new SenseException(Sense.LBA_OUT_OF_RANGE);
    }
    if (blocks * Disc.BLOCK_SIZE > MAX_TRANSFER_BYTES) {
      throw Cdb.invalidField(twelve ? 6 : 7, -1);
    }
    if (blocks == 0) {
      Cdb.good(task);
      return;
    }
    int length = (int) blocks * Disc.BLOCK_SIZE;
    ByteBuffer b = task.allocateDataIn(length);
    b.clear();
    b.limit(length);
    if (!disc.acquire()) {
      throw new SenseException(Sense.MEDIUM_NOT_PRESENT); // taken out a moment ago
    }
    try {
      config.ioExecutor().execute(() -> {
        try {
          disc.read(lba, b);
          task.complete(Status.GOOD, null);
        } catch (MediumException e) {
          LOG.log(Level.WARNING, config.name() + ": reading " + disc.file + " failed at "
              + e.getMessage(), e.getCause());
          task.complete(Status.CHECK_CONDITION,
              Sense.UNRECOVERED_READ_ERROR.withInformation(e.offset() / Disc.BLOCK_SIZE));
        } catch (RuntimeException e) {
          LOG.log(Level.ERROR, config.name() + ": reading " + disc.file + " failed", e);
          task.complete(Status.CHECK_CONDITION, Sense.INTERNAL_TARGET_FAILURE);
        } finally {
          disc.release();
        }
      });
    } catch (RuntimeException e) {
      disc.release(); // the executor refused: the device is closing
      throw e;
    }
  }

  /** MECHANISM STATUS (MMC-6 6.11): no changer, idle, the tray open or not. */
  private static void mechanismStatus(Task task, Medium m) {
    byte[] header = new byte[8];
    header[1] = (byte) (m.trayOpen() ? 0x10 : 0);
    Cdb.respond(task, header, Cdb.u16(task.cdb(), 8));
  }

  /**
   * START STOP UNIT (MMC-6 6.40): with LOEJ, START 0 opens the tray (refused while a nexus
   * prevents removal) and START 1 closes it, bringing the disc back; without LOEJ there is no
   * spindle to start or stop. Power conditions are not offered (no Power Management feature).
   */
  private void startStop(Task task) throws SenseException {
    byte[] cdb = task.cdb();
    if ((cdb[4] & 0xF0) != 0) {
      throw Cdb.invalidField(4, 7);
    }
    boolean loej = (cdb[4] & 0x02) != 0;
    boolean start = (cdb[4] & 0x01) != 0;
    if (loej) {
      synchronized (this) {
        Medium m = medium;
        if (!start && !m.trayOpen()) {
          if (config.mediumRemovalPrevented()) {
            throw new SenseException(Sense.MEDIUM_REMOVAL_PREVENTED);
          }
          medium = new Medium(m.disc(), true);
          if (m.disc() != null) {
            events.post(MediaEvents.MEDIA_REMOVAL);
          }
        } else if (start && m.trayOpen()) {
          medium = new Medium(m.disc(), false);
          if (m.disc() != null) {
            newMedium();
          }
        }
      }
    }
    Cdb.good(task);
  }

  private void newMedium() {
    events.post(MediaEvents.NEW_MEDIA);
    config.unitAttention(MEDIUM_MAY_HAVE_CHANGED, 0x00);
  }

  /**
   * Changes the disc: {@code filename} names the new image, or is empty to take the disc out.
   * Refused while an initiator prevents the removal of a disc that is in the drive, as SCST
   * does; the drive is then as it was.
   */
  @Override
  public synchronized void set(String attribute, String value) throws DeviceException {
    if (!VcdromHandler.FILENAME.name().equals(attribute)) {
      CommandBackend.super.set(attribute, value);
      return;
    }
    Medium before = medium;
    if (before.present() && config.mediumRemovalPrevented()) {
      throw new DeviceException("the disc in " + config.name() + " cannot be changed: an "
          + "initiator prevents its removal (PREVENT ALLOW MEDIUM REMOVAL)");
    }
    Disc next = value.isEmpty() ? null : Disc.open(resolve(value));
    medium = next == null ? Medium.EMPTY : new Medium(next, false);
    if (before.disc() != null) {
      before.disc().release();
    }
    LOG.log(Level.INFO, config.name() + ": " + (next == null ? "no disc"
        : "disc " + next.file + ", " + next.blocks + " sectors"));
    if (next != null) {
      newMedium();
    } else if (before.present()) {
      events.post(MediaEvents.MEDIA_REMOVAL);
    }
  }

  @Override
  public synchronized void close() {
    Disc d = medium.disc();
    medium = Medium.EMPTY;
    if (d != null) {
      d.release();
    }
  }
}
