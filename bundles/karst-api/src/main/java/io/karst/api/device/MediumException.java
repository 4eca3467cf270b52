package io.karst.api.device;

import java.io.IOException;

/**
 * An I/O error of the backing store at a known place. A backend fails an operation with it to
 * say where the operation stopped: core then reports MEDIUM ERROR with the LBA of the block
 * holding {@link #offset()} in the sense data's INFORMATION field (SBC-4 4.18), as the first
 * block that was not read or written, instead of the operation's first LBA. A command backend
 * can use it the same way for its own medium errors.
 */
public class MediumException extends IOException {
  private static final long serialVersionUID = 1L;

  private final long offset;

  /**
   * @param offset the byte offset from the start of the device at which the operation failed:
   *     the first byte it did not transfer
   */
  public MediumException(long offset, String message, Throwable cause) {
    super(message, cause);
    this.offset = offset;
  }

  /** The byte offset from the start of the device at which the operation failed. */
  public long offset() {
    return offset;
  }
}
