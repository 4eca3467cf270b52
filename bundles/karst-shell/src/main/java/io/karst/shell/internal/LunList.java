package io.karst.shell.internal;

import io.karst.api.mgmt.Management;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** Lists the LUNs of one target, or of all, with the state of their devices. */
@Service
@Command(scope = "karst", name = "lun-list", description = "Lists LUNs")
public class LunList implements Action {

  @Reference
  Management management;

  @Argument(name = "target", description = "Only this target's LUNs")
  @Completion(TargetCompleter.class)
  String target;

  @Override
  public Object execute() {
    Map<String, Management.DeviceInfo> devices = management.devices().stream()
        .collect(Collectors.toMap(Management.DeviceInfo::name, Function.identity()));
    ShellTable table = new ShellTable();
    table.column("Target");
    table.column("LUN");
    table.column("Device");
    table.column("Read-only");
    table.column("State");
    var targets = management.targets().stream()
        .filter(t -> target == null || t.name().equals(target)).toList();
    if (target != null && targets.isEmpty()) {
      throw new IllegalArgumentException("no target " + target);
    }
    for (var t : targets) {
      for (var l : t.luns()) {
        var d = devices.get(l.device());
        table.addRow().addContent(t.name(), l.lun(), l.device(), Format.yesNo(l.readOnly()),
            d == null ? "" : d.state());
      }
    }
    table.print(System.out);
    return null;
  }
}
