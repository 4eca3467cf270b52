package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * {@code karst:driver-list}: the target drivers, whether each is registered, enabled by the
 * configuration and started, with its configured attributes (say, {@code portals}). The
 * {@code enabled} attribute has its own column.
 */
@Service
@Command(scope = "karst", name = "driver-list", description = "Lists target drivers")
public class DriverList extends ListCommand {

  @Override
  ShellTable table() {
    ShellTable table = columns("Driver", "Registered", "Enabled", "Started", "Attributes");
    for (var d : management.drivers()) {
      table.addRow().addContent(d.name(), Format.yesNo(d.registered()),
          Format.yesNo(d.enabled()), Format.yesNo(d.started()),
          Format.attributes(d.attributes(), "enabled"));
    }
    return table;
  }
}
