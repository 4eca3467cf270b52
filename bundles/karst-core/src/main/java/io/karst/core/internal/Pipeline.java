package io.karst.core.internal;

import io.karst.api.device.Backend;
import io.karst.api.device.BlockBackend;
import io.karst.api.device.CommandBackend;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.Status;
import java.lang.System.Logger.Level;

/**
 * The command pipeline: from a submitted task to the code that executes it. LUN lookup (a read
 * of the session's immutable map, no lock), the answers a device server gives without a logical
 * unit, a pending unit attention ({@link UnitAttention}), the ALUA state and reservations, the
 * device's state, then SPC and SBC emulation for block backends or the backend itself for
 * command-level ones.
 *
 * <p>Between the LUN lookup and the rest, the task joins its logical unit's {@link TaskSet},
 * which starts it at once or later, by task attribute, or refuses it.
 */
final class Pipeline {

  private static final System.Logger LOG = System.getLogger(Pipeline.class.getName());

  private Pipeline() {}

  static void execute(CoreTask task) {
    try {
      byte[] cdb = task.cdb();
      if (cdb.length == 0) {
        throw new SenseException(Sense.INVALID_COMMAND_OPERATION_CODE);
      }
      Cdb.checkFrame(cdb);
      Lun lun = task.session.lun(task.lun());
      if (lun == null) {
        Spc.withoutLogicalUnit(task, Cdb.u8(cdb, 0));
        return;
      }
      if (lun.device().taskSet.admit(task)) {
        run(task, lun);
      }
    } catch (SenseException e) {
      task.fail(e.sense());
    } catch (RuntimeException e) {
      failed(task, e);
    }
  }

  /** Starts a task its task set held back; an abort may have come while it waited. */
  static void start(CoreTask task) {
    if (task.aborted()) {
      task.finish(Status.TASK_ABORTED, null, null);
      return;
    }
    try {
      Lun lun = task.session.lun(task.lun());
      if (lun == null) {
        Spc.withoutLogicalUnit(task, Cdb.u8(task.cdb(), 0));
      } else {
        run(task, lun);
      }
    } catch (SenseException e) {
      task.fail(e.sense());
    } catch (RuntimeException e) {
      failed(task, e);
    }
  }

  private static void run(CoreTask task, Lun lun) {
    try {
      byte[] cdb = task.cdb();
      int opcode = Cdb.u8(cdb, 0);
      if (opcode == Spc.REPORT_LUNS) {
        Spc.reportLuns(task);
        return;
      }
      if (task.session.attentions.pending() && UnitAttention.report(task, lun, opcode)) {
        return;
      }
      Alua.check(lun, cdb);
      Device device = lun.device();
      if (Reservations.conflicts(task, device, opcode)
          || PersistentReservations.conflicts(task, device, opcode)) {
        task.conflict();
        return;
      }
      if (MediumRemoval.absent(device, opcode)) {
        throw new SenseException(Sense.MEDIUM_NOT_PRESENT);
      }
      if (Sanitize.refuses(task, lun, opcode)) {
        return;
      }
      Backend backend = device.acquire(task);
      if (backend == null) {
        Spc.offline(task, opcode, lun);
        return;
      }
      task.hold(device);
      if (backend instanceof CommandBackend command) {
        if (command.peripheralDeviceType() < 0 || !Spc.executeShared(task, lun, command)) {
          executeCommand(task, command);
        }
      } else if (!Spc.execute(task, lun, (BlockBackend) backend)
          && !Sbc.execute(task, lun, (BlockBackend) backend)) {
        throw new SenseException(Sense.INVALID_COMMAND_OPERATION_CODE);
      }
    } catch (SenseException e) {
      task.fail(e.sense());
    } catch (RuntimeException e) {
      failed(task, e);
    }
  }

  private static void failed(CoreTask task, RuntimeException e) {
    LOG.log(Level.ERROR, "task " + task.tag() + " of " + task.session.describe() + " failed", e);
    task.fail(Sense.INTERNAL_TARGET_FAILURE);
  }

  private static void executeCommand(CoreTask task, CommandBackend backend)
      throws SenseException {
    int length = backend.dataOutLength(task);
    if (length > 0) {
      task.receive(length, data -> backend.execute(task));
    } else {
      backend.execute(task);
    }
  }
}
