package io.karst.shell.internal;

import io.karst.api.mgmt.Management.DeviceInfo;
import io.karst.api.mgmt.Management.TargetInfo;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * {@code karst:lun-list [target]}: the LUNs of one target, or of all, each with its device and
 * that device's state, so that a LUN answering NOT READY shows why at a glance. A LUN whose
 * device is not configured shows no state.
 */
@Service
@Command(scope = "karst", name = "lun-list", description = "Lists the LUNs of a target, or of all")
public class LunList extends ListCommand {

  @Argument(name = "target", description = "Only this target's LUNs")
  @Completion(TargetCompleter.class)
  String target;

  /**
   * @throws IllegalArgumentException when the named target does not exist, which Karaf prints
   *     as the command's error
   */
  @Override
  ShellTable table() {
    List<TargetInfo> targets = management.targets().stream()
        .filter(t -> target == null || t.name().equals(target)).toList();
    if (target != null && targets.isEmpty()) {
      throw new IllegalArgumentException("no target " + target);
    }
    Map<String, DeviceInfo> devices = management.devices().stream()
        .collect(Collectors.toMap(DeviceInfo::name, Function.identity()));
    ShellTable table = columns("Target", "LUN", "Device", "Read-only", "State");
    for (var t : targets) {
      for (var l : t.luns()) {
        DeviceInfo d = devices.get(l.device());
        table.addRow().addContent(t.name(), l.lun(), l.device(), Format.yesNo(l.readOnly()),
            d == null ? "" : d.state());
      }
    }
    return table;
  }
}
