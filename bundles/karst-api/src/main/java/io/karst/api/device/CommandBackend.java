package io.karst.api.device;

import io.karst.api.scsi.Task;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A device that executes CDBs itself (pass-through, tape, CD-ROM). Core still does what is
 * common to every logical unit (LUN lookup, access, ordering, REPORT LUNS) and hands the rest
 * here.
 */
@ConsumerType
public interface CommandBackend extends Backend {

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
