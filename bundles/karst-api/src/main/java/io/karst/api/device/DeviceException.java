package io.karst.api.device;

/** A device could not be opened; the message says why in words an administrator can act on. */
public class DeviceException extends Exception {
  private static final long serialVersionUID = 1L;

  public DeviceException(String message) {
    super(message);
  }

  public DeviceException(String message, Throwable cause) {
    super(message, cause);
  }
}
