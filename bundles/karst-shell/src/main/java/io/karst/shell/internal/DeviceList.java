package io.karst.shell.internal;

import io.karst.api.mgmt.Management;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** Lists devices with their handler, state and capacity. */
@Service
@Command(scope = "karst", name = "device-list", description = "Lists devices")
public class DeviceList implements Action {

  @Reference
  Management management;

  @Override
  public Object execute() {
    ShellTable table = new ShellTable();
    table.column("Device");
    table.column("Handler");
    table.column("State");
    table.column("Size");
    table.column("Block size");
    table.column("Detail");
    for (var d : management.devices()) {
      boolean online = d.state() == Management.DeviceState.ONLINE;
      table.addRow().addContent(d.name(), d.handler(), d.state(),
          online ? Format.size(d.blockCount() * d.blockSize()) : "",
          online ? d.blockSize() : "", d.stateDetail());
    }
    table.print(System.out);
    return null;
  }
}
