package io.karst.shell.internal;

import io.karst.api.mgmt.Management.AttributeInfo;
import io.karst.api.mgmt.Management.ObjectInfo;
import io.karst.api.mgmt.ManagementException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:session-show TARGET INITIATOR}: one session as the management tree shows it at
 * {@code .../sessions/INITIATOR}: core's attributes and counters and what the driver shows of
 * it (iSCSI: the negotiated keys), then its connections, one row each, with the attributes
 * their driver gives them (iSCSI: CID, the initiator's address and port, the portal, the
 * state, the connection's own keys).
 *
 * <p>The session and each connection are separate reads of a tree that changes: a connection
 * that closes in between, or every one of a session that ends, is no longer there to read, and
 * is left out as it would be from a listing made a moment later.
 */
@Service
@Command(scope = "karst", name = "session-show",
    description = "Shows a session: negotiated values, counters, connections")
public class SessionShow extends SessionCommand {

  @Override
  String run() {
    String at = sessionPath();
    ObjectInfo session = management.object(at);
    System.out.println(session.path());
    var table = ListCommand.columns("Attribute", "Value", "Description");
    for (AttributeInfo a : session.attributes()) {
      table.addRow().addContent(a.name(), Show.values(a.value()), Format.text(a.description()));
    }
    table.print(System.out);
    List<ObjectInfo> connections = new ArrayList<>();
    for (String c : session.children()) {
      try {
        connections.add(management.object(at + "/" + c));
      } catch (ManagementException gone) {
        // Closed since the session was read.
      }
    }
    if (connections.isEmpty()) {
      return null;
    }
    // The columns are the attributes the driver gives its connections, in its order.
    Set<String> names = new LinkedHashSet<>();
    connections.forEach(c -> c.attributes().forEach(a -> names.add(a.name())));
    List<String> headers = new ArrayList<>(List.of("Connection"));
    headers.addAll(names);
    System.out.println();
    var rows = ListCommand.columns(headers.toArray(String[]::new));
    for (ObjectInfo c : connections) {
      List<Object> row = new ArrayList<>(List.of(c.path().substring(at.length() + 1)));
      for (String name : names) {
        row.add(c.attributes().stream().filter(a -> a.name().equals(name)).findFirst()
            .map(a -> Show.values(a.value())).orElse(""));
      }
      rows.addRow().addContent(row);
    }
    rows.print(System.out);
    return null;
  }
}
