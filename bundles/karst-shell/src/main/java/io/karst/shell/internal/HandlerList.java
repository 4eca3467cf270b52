package io.karst.shell.internal;

import io.karst.api.mgmt.Management;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** Lists device handlers: configured or registered, and how many devices each has. */
@Service
@Command(scope = "karst", name = "handler-list", description = "Lists device handlers")
public class HandlerList implements Action {

  @Reference
  Management management;

  @Override
  public Object execute() {
    ShellTable table = new ShellTable();
    table.column("Handler");
    table.column("Registered");
    table.column("Devices");
    for (var h : management.handlers()) {
      long devices = management.devices().stream()
          .filter(d -> d.handler().equals(h.name())).count();
      table.addRow().addContent(h.name(), Format.yesNo(h.registered()), devices);
    }
    table.print(System.out);
    return null;
  }
}
