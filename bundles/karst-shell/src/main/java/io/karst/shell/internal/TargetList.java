package io.karst.shell.internal;

import io.karst.api.mgmt.Management;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** Lists targets with their LUN and session counts. */
@Service
@Command(scope = "karst", name = "target-list", description = "Lists targets")
public class TargetList implements Action {

  @Reference
  Management management;

  @Override
  public Object execute() {
    ShellTable table = new ShellTable();
    table.column("Driver");
    table.column("Target");
    table.column("Enabled");
    table.column("LUNs");
    table.column("Sessions");
    var sessions = management.sessions();
    for (var t : management.targets()) {
      long open = sessions.stream()
          .filter(s -> s.driver().equals(t.driver()) && s.target().equals(t.name())).count();
      table.addRow().addContent(t.driver(), t.name(), Format.yesNo(t.enabled()),
          t.luns().size(), open);
    }
    table.print(System.out);
    return null;
  }
}
