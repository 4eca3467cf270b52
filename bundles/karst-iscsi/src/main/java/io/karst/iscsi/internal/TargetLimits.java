package io.karst.iscsi.internal;

import io.karst.api.target.Target;
import java.util.Map;

/**
 * The limits and timers a target's sessions and connections run with: the driver's {@code
 * queue_depth}, {@code nop_in_interval} and {@code nop_in_timeout}, each replaced by the
 * target's attribute of iscsi-scst's name where it has one, and the target's own
 * MaxConnections, MaxSessions and RspTimeout. Read here only, so that the check of a target
 * when the driver starts or the target changes holds the ranges its logins hold.
 *
 * @param queuedCommands the CmdSN window of a session (QueuedCommands)
 * @param nopInInterval seconds of silence before a NOP-In ping, 0 for none
 * @param nopInTimeout seconds to wait for the answer to a ping
 * @param rspTimeout seconds a task waits for Data-Out before the connection is closed
 * @param maxConnections the most connections a session may have, the target's MaxConnections
 *     offer
 * @param maxSessions the most sessions the target admits at once, 0 for no limit
 */
record TargetLimits(int queuedCommands, int nopInInterval, int nopInTimeout, int rspTimeout,
    int maxConnections, int maxSessions) {

  /** The target attributes of SCST's names that bound sessions and connections. */
  static final String MAX_CONNECTIONS = "MaxConnections";
  static final String MAX_SESSIONS = "MaxSessions";
  static final String QUEUED_COMMANDS = "QueuedCommands";
  /** The target attributes of iscsi-scst's names that override the driver's keepalive. */
  static final String NOP_IN_INTERVAL = "NopInInterval";
  static final String NOP_IN_TIMEOUT = "NopInTimeout";
  static final String RSP_TIMEOUT = "RspTimeout";
  static final int DEFAULT_RSP_TIMEOUT = 90;
  static final int DEFAULT_MAX_CONNECTIONS = 8;

  /**
   * The limits of a target that sets none, from the driver's canonical attributes.
   *
   * @throws IllegalArgumentException naming the attribute, for a value outside its range
   */
  static TargetLimits ofDriver(Map<String, String> attributes) {
    return new TargetLimits(Params.attribute(attributes, "queue_depth", 1, 1 << 16),
        Params.attribute(attributes, "nop_in_interval", 0, 3600),
        Params.attribute(attributes, "nop_in_timeout", 1, 3600), DEFAULT_RSP_TIMEOUT,
        DEFAULT_MAX_CONNECTIONS, 0);
  }

  /**
   * The limits of one target: these, each replaced by the target's attribute where it has one.
   *
   * @throws IllegalArgumentException naming the target and the attribute, for a value outside
   *     its range
   */
  TargetLimits forTarget(Target target) {
    return new TargetLimits(
        Params.targetAttribute(target, QUEUED_COMMANDS, 1, 1 << 16, queuedCommands),
        Params.targetAttribute(target, NOP_IN_INTERVAL, 0, 3600, nopInInterval),
        Params.targetAttribute(target, NOP_IN_TIMEOUT, 1, 3600, nopInTimeout),
        Params.targetAttribute(target, RSP_TIMEOUT, 2, 65535, rspTimeout),
        Params.targetAttribute(target, MAX_CONNECTIONS, 1, 65535, maxConnections),
        Params.targetAttribute(target, MAX_SESSIONS, 0, 65535, maxSessions));
  }
}
