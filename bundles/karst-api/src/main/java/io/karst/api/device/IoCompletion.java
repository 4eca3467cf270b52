package io.karst.api.device;

import org.osgi.annotation.versioning.ProviderType;

/**
 * How a backend reports that an operation core asked for has finished. Exactly one of the two
 * methods is called, once, from any thread.
 */
@ProviderType
public interface IoCompletion {

  /** The operation succeeded; for a read, the buffer is full. */
  void completed();

  /**
   * The operation failed. A {@link io.karst.api.scsi.SenseException} gives the sense data to
   * report; a {@link MediumException} is reported as a medium error (read or write) at the LBA
   * of its offset, any other cause as one at the operation's first LBA.
   */
  void failed(Throwable cause);
}
