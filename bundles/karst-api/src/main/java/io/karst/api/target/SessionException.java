package io.karst.api.target;

/** A session could not be opened; {@link #reason()} says why, for the transport to report. */
public class SessionException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why a session was refused, so that a transport can pick its own status for it. */
  public enum Reason {
    /** No such target. */
    TARGET_NOT_FOUND,
    /** The target exists but is disabled. */
    TARGET_DISABLED,
    /** The access rules give this initiator nothing. */
    NOT_AUTHORIZED,
    /** The target or server cannot take more sessions now. */
    OUT_OF_RESOURCES
  }

  private final Reason reason;

  public SessionException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
