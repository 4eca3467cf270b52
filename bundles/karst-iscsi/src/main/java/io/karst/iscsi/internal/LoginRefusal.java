package io.karst.iscsi.internal;

import java.util.Map;

/**
 * A login that cannot go on here: the Status-Class and Status-Detail of the final Login
 * Response (RFC 7143 11.13.5), a redirection or an error, after which the target closes the
 * connection.
 */
final class LoginRefusal extends Exception {
  private static final long serialVersionUID = 1L;

  /** 0x0200: a protocol error in the initiator's requests (bad stage, malformed text). */
  static final int INITIATOR_ERROR = 0x0200;
  static final int AUTHENTICATION_FAILURE = 0x0201;
  /** The initiator may not reach the target. */
  static final int AUTHORIZATION_FAILURE = 0x0202;
  static final int NOT_FOUND = 0x0203;
  static final int UNSUPPORTED_VERSION = 0x0205;
  /** The session has all the connections MaxConnections allows. */
  static final int TOO_MANY_CONNECTIONS = 0x0206;
  static final int MISSING_PARAMETER = 0x0207;
  static final int SESSION_TYPE_NOT_SUPPORTED = 0x0209;
  static final int SESSION_DOES_NOT_EXIST = 0x020A;
  /** 0x0300: the target's own fault (a configuration it cannot use). */
  static final int TARGET_ERROR = 0x0300;
  /** The target cannot serve now but may later: initiators retry. */
  static final int SERVICE_UNAVAILABLE = 0x0301;
  static final int OUT_OF_RESOURCES = 0x0302;

  final int status;
  /** Keys the response carries: the TargetAddress of a redirection. */
  final Map<String, String> keys;

  LoginRefusal(int status, String message) {
    this(status, message, Map.of());
  }

  LoginRefusal(int status, String message, Map<String, String> keys) {
    super(message, null, false, false);
    this.status = status;
    this.keys = keys;
  }
}
