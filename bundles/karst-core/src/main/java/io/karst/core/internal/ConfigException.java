package io.karst.core.internal;

/** A configuration file that cannot be used; the message names the line and the problem. */
final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  ConfigException(String message) {
    super(message);
  }
}
