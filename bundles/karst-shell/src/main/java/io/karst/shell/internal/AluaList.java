package io.karst.shell.internal;

import io.karst.api.mgmt.Management.DeviceGroupInfo;
import io.karst.api.mgmt.Management.TargetGroupInfo;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code karst:alua-list}: the ALUA device groups, their target port groups and states. */
@Service
@Command(scope = "karst", name = "alua-list",
    description = "Lists ALUA device groups with their target port groups and states")
public class AluaList extends ListCommand {

  @Override
  ShellTable table() {
    ShellTable table = columns("Device group", "Target group", "Id", "State", "Preferred",
        "Targets", "Devices");
    for (DeviceGroupInfo d : management.deviceGroups()) {
      for (TargetGroupInfo g : d.targetGroups()) {
        table.addRow().addContent(d.name(), g.name(), g.groupId(), g.state(),
            Format.yesNo(g.preferred()), g.targets().stream()
                .map(t -> t.target() + " (" + t.relativeTargetPortId() + ")")
                .collect(Collectors.joining(", ")), String.join(", ", d.devices()));
      }
    }
    return table;
  }
}
