package io.karst.api.mgmt;

/**
 * A management change or query that was refused, with a message an administrator can act on:
 * what is wrong and, where it helps, what would be accepted. A refused change has changed
 * nothing.
 */
public class ManagementException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ManagementException(String message) {
    super(message);
  }

  public ManagementException(String message, Throwable cause) {
    super(message, cause);
  }
}
