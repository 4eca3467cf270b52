package io.karst.shell.internal;

import io.karst.api.mgmt.Management;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** Lists target drivers: registered, enabled, started, and their attributes. */
@Service
@Command(scope = "karst", name = "driver-list", description = "Lists target drivers")
public class DriverList implements Action {

  @Reference
  Management management;

  @Override
  public Object execute() {
    ShellTable table = new ShellTable();
    table.column("Driver");
    table.column("Registered");
    table.column("Enabled");
    table.column("Started");
    table.column("Attributes");
    for (var d : management.drivers()) {
      String attributes = d.attributes().entrySet().stream()
          .filter(e -> !e.getKey().equals("enabled"))
          .sorted(java.util.Map.Entry.comparingByKey())
          .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
      table.addRow().addContent(d.name(), Format.yesNo(d.registered()),
          Format.yesNo(d.enabled()), Format.yesNo(d.started()), attributes);
    }
    table.print(System.out);
    return null;
  }
}
