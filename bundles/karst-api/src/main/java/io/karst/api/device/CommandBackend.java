package io.karst.api.device;

import io.karst.api.scsi.SupportedOperation;
import io.karst.api.scsi.Task;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A device that executes CDBs itself (pass-through, tape, CD-ROM). Core still does what is
 * common to every logical unit (LUN lookup, access, ordering, reservation checks, REPORT LUNS)
 * and, for a backend that names its {@linkplain #peripheralDeviceType() device type}, the SPC
 * commands that every logical unit shares; it hands the rest here.
 */
@ConsumerType
public interface CommandBackend extends Backend {

  /** The peripheral device type of a CD or DVD device (MMC). */
  int MMC = 0x05;

  /**
   * The peripheral device type (SPC-4 6.6.2) for which core answers the SPC commands that are
   * the same for every type, with the device's identity, which core keeps: INQUIRY (standard
   * data, VPD pages 00h, 80h and 83h), REQUEST SENSE, PREVENT ALLOW MEDIUM REMOVAL (see
   * {@link DeviceConfig#mediumRemovalPrevented()}), RESERVE and RELEASE, PERSISTENT RESERVE IN
   * and OUT, REPORT and SET TARGET PORT GROUPS. Everything else comes to {@link #execute}. By
   * default -1: the backend executes every command itself, as a pass-through device does.
   * {@link #MMC} devices have a removable medium (RMB).
   */
  default int peripheralDeviceType() {
    return -1;
  }

  /**
   * The commands this backend executes, for a backend that names its
   * {@linkplain #peripheralDeviceType() device type}: core then answers REPORT SUPPORTED
   * OPERATION CODES (MAINTENANCE IN, service action 0Ch) itself, with these and the SPC commands
   * it answers for the device. Each must be one {@link #execute} accepts, with the fields it
   * looks at in its usage map. By default none: the command comes to {@link #execute} like any
   * other.
   */
  default List<SupportedOperation> supportedOperations() {
    return List.of();
  }

  /**
   * The number of Data-Out bytes this command carries, which core collects before
   * {@link #execute}; by default what the transport announced for a write.
   */
  default int dataOutLength(Task task) {
    return switch (task.direction()) {
      case WRITE, BIDIRECTIONAL -> task.expectedTransferLength();
      default -> 0;
    };
  }

  /**
   * Executes the task and finishes it with {@link Task#complete}. Must not block the caller:
   * blocking work goes to {@link DeviceConfig#ioExecutor()}.
   */
  void execute(Task task);
}
