package io.karst.api.scsi;

/**
 * A failure that a device server reports as CHECK CONDITION with the given sense data. A backend
 * completes an operation with it to choose the sense itself (say, MEDIUM ERROR with the LBA).
 */
public class SenseException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient Sense sense;

  public SenseException(Sense sense) {
    super(sense.toString(), null, false, false);
    this.sense = sense;
  }

  public SenseException(Sense sense, String message, Throwable cause) {
    super(message + ": " + sense, cause);
    this.sense = sense;
  }

  public Sense sense() {
    return sense;
  }
}
