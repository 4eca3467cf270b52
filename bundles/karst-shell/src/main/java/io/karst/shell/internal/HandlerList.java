package io.karst.shell.internal;

import io.karst.api.mgmt.Management.DeviceInfo;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * {@code karst:handler-list}: the device handlers the configuration names or that are
 * registered, whether each is registered (a configured one that is not leaves its devices
 * offline), and how many devices each has.
 */
@Service
@Command(scope = "karst", name = "handler-list", description = "Lists device handlers")
public class HandlerList extends ListCommand {

  @Override
  ShellTable table() {
    Map<String, Long> devices = management.devices().stream()
        .collect(Collectors.groupingBy(DeviceInfo::handler, Collectors.counting()));
    ShellTable table = columns("Handler", "Registered", "Devices");
    for (var h : management.handlers()) {
      table.addRow().addContent(h.name(), Format.yesNo(h.registered()),
          devices.getOrDefault(h.name(), 0L));
    }
    return table;
  }
}
