package io.karst.shell.internal;

import io.karst.api.mgmt.Management;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** Lists open sessions (I_T nexuses) and the commands each has carried. */
@Service
@Command(scope = "karst", name = "session-list", description = "Lists sessions")
public class SessionList implements Action {

  @Reference
  Management management;

  @Override
  public Object execute() {
    ShellTable table = new ShellTable();
    table.column("Driver");
    table.column("Target");
    table.column("Initiator");
    table.column("Commands");
    for (var s : management.sessions()) {
      table.addRow().addContent(s.driver(), s.target(), s.initiator(), s.commands());
    }
    table.print(System.out);
    return null;
  }
}
