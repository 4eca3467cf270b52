package io.karst.shell.internal;

import io.karst.api.mgmt.Management.DeviceState;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * {@code karst:device-list}: every configured device with its handler, whether it is online,
 * its capacity and block size, and why it is offline when it is. An offline device has no
 * capacity to show: nothing has measured its storage.
 */
@Service
@Command(scope = "karst", name = "device-list", description = "Lists devices")
public class DeviceList extends ListCommand {

  @Override
  ShellTable table() {
    ShellTable table = columns("Device", "Handler", "State", "Size", "Block size", "Detail");
    for (var d : management.devices()) {
      boolean measured = d.state() == DeviceState.ONLINE && d.blockSize() > 0;
      table.addRow().addContent(d.name(), d.handler(), d.state(),
          measured ? Format.size(d.blockCount() * d.blockSize()) : "",
          measured ? d.blockSize() : "", Format.text(d.stateDetail()));
    }
    return table;
  }
}
