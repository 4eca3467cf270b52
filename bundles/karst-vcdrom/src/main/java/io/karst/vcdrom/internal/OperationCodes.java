package io.karst.vcdrom.internal;

import static io.karst.api.scsi.SupportedOperation.of;

import io.karst.api.scsi.SupportedOperation;
import java.util.List;

/**
 * The commands the drive executes, for REPORT SUPPORTED OPERATION CODES (SPC-4 6.35), which
 * core answers with these and the SPC commands it answers itself (INQUIRY, REQUEST SENSE,
 * reservations, PREVENT ALLOW MEDIUM REMOVAL, REPORT LUNS, the report itself).
 *
 * <p>A usage map has a bit set for every CDB bit the drive evaluates, including fields of which
 * it accepts only some values (READ DISC INFORMATION's data type 0, the Polled bit of GET EVENT
 * STATUS NOTIFICATION); fields it refuses whenever they are set (RelAdr, power conditions) or
 * never looks at (SP of MODE SELECT, which saves nothing; DPO and FUA of a read from an image, the speeds of SET CD SPEED) are zero.
 * The write commands are here because the drive executes them: it refuses them with DATA
 * PROTECT, WRITE PROTECTED, looking at no field. A test sends every operation code and checks
 * that exactly these are executed.
 */
final class OperationCodes {

  private static final int FF = 0xFF;

  static final List<SupportedOperation> MMC = List.of(
      of(CdromBackend.TEST_UNIT_READY, 0, 0, 0, 0, 0),
      of(ModePages.MODE_SELECT_6, 0, 0, 0, FF, 0),
      of(ModePages.MODE_SENSE_6, 0x08, FF, FF, FF, 0),
      // IMMED is honoured trivially: the tray moves at once
      of(CdromBackend.START_STOP_UNIT, 0x01, 0, 0, 0x03, 0),
      of(CdromBackend.READ_CAPACITY_10, 0, FF, FF, FF, FF, 0, 0, 0x01, 0),
      of(CdromBackend.READ_10, 0, FF, FF, FF, FF, 0, FF, FF, 0),
      of(CdromBackend.WRITE_10, 0, 0, 0, 0, 0, 0, 0, 0, 0),
      of(CdromBackend.WRITE_AND_VERIFY_10, 0, 0, 0, 0, 0, 0, 0, 0, 0),
      of(CdromBackend.SYNCHRONIZE_CACHE_10, 0, 0, 0, 0, 0, 0, 0, 0, 0),
      // the two high bits of CONTROL carry the format for SFF-8020 initiators
      of(CdromBackend.READ_TOC_PMA_ATIP, 0x02, 0x0F, 0, 0, 0, FF, FF, FF, 0xC0),
      of(CdromBackend.GET_CONFIGURATION, 0x03, FF, FF, 0, 0, 0, FF, FF, 0),
      of(CdromBackend.GET_EVENT_STATUS_NOTIFICATION, 0x01, 0, 0, FF, 0, 0, FF, FF, 0),
      of(CdromBackend.READ_DISC_INFORMATION, 0x07, 0, 0, 0, 0, 0, FF, FF, 0),
      of(CdromBackend.READ_TRACK_INFORMATION, 0x03, FF, FF, FF, FF, 0, FF, FF, 0),
      of(ModePages.MODE_SELECT_10, 0, 0, 0, 0, 0, 0, FF, FF, 0),
      of(ModePages.MODE_SENSE_10, 0x08, FF, FF, 0, 0, 0, FF, FF, 0),
      of(CdromBackend.READ_12, 0, FF, FF, FF, FF, FF, FF, FF, FF, 0, 0),
      of(CdromBackend.WRITE_12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
      of(CdromBackend.READ_DISC_STRUCTURE, 0x0F, 0, 0, 0, 0, FF, FF, FF, FF, 0, 0),
      of(CdromBackend.SET_CD_SPEED, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
      of(CdromBackend.MECHANISM_STATUS, 0, 0, 0, 0, 0, 0, 0, FF, FF, 0, 0));

  private OperationCodes() {}
}
