package io.karst.api.local;

import io.karst.api.scsi.Sense;
import io.karst.api.scsi.Status;

/**
 * The outcome of a local command.
 *
 * @param status the SCSI status
 * @param sense the sense data with CHECK CONDITION, else null
 * @param dataIn the Data-In received, at most the length asked for (empty when none)
 * @param residual the Data-In bytes the command would have sent beyond the length asked for
 *     (positive, overflow) or short of it (negative, underflow)
 */
public record LocalResult(Status status, Sense sense, byte[] dataIn, int residual) {

  public boolean good() {
    return status == Status.GOOD;
  }
}
