package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code karst:session-list}: the open sessions (I_T nexuses) and the commands each carried. */
@Service
@Command(scope = "karst", name = "session-list", description = "Lists sessions")
public class SessionList extends ListCommand {

  @Override
  ShellTable table() {
    ShellTable table = columns("Driver", "Target", "Initiator", "Commands");
    for (var s : management.sessions()) {
      table.addRow().addContent(s.driver(), s.target(), s.initiator(), s.commands());
    }
    return table;
  }
}
