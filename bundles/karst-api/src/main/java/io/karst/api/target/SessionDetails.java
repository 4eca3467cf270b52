package io.karst.api.target;

import java.util.List;
import java.util.Map;

/**
 * What a driver shows of one of its sessions, read-only, in the management view beside core's
 * own attributes and counters: the session's attributes (iSCSI: its identifier and the keys
 * its login negotiated) and the transport connections that carry it. Core shows the values of
 * the attributes the driver describes in {@link TargetDriver#sessionAttributes()} and {@link
 * TargetDriver#connectionAttributes()}, and leaves out names it does not describe.
 *
 * @param attributes the session's attribute values by name
 * @param connections the connections, in the order the driver lists them; empty for a
 *     transport without connections
 */
public record SessionDetails(Map<String, String> attributes, List<Connection> connections) {

  /** A session that shows nothing beyond core's attributes. */
  public static final SessionDetails NONE = new SessionDetails(Map.of(), List.of());

  public SessionDetails {
    attributes = Map.copyOf(attributes);
    connections = List.copyOf(connections);
  }

  /**
   * One connection of a session.
   *
   * @param name the connection's node under its session, unique within the session (iSCSI:
   *     the initiator's address, as SCST names it)
   * @param attributes the connection's attribute values by name
   */
  public record Connection(String name, Map<String, String> attributes) {

    public Connection {
      attributes = Map.copyOf(attributes);
    }
  }
}
