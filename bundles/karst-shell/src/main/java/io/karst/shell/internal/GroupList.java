package io.karst.shell.internal;

import io.karst.api.mgmt.Management.ObjectInfo;
import io.karst.api.mgmt.Management.TargetInfo;
import java.util.ArrayList;
import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * {@code karst:group-list [TARGET]}: the initiator groups of one target, or of all, with their
 * initiator patterns and LUNs (LUN=device), as scstadmin's {@code -list_group}.
 */
@Service
@Command(scope = "karst", name = "group-list",
    description = "Lists the initiator groups of a target, or of all")
public class GroupList extends TreeCommand {

  @Argument(name = "target", description = "Only this target's groups")
  @Completion(TargetCompleter.class)
  String target;

  @Override
  String run() {
    List<TargetInfo> targets = management.targets().stream()
        .filter(t -> target == null || t.name().equals(target)).toList();
    if (target != null) {
      Nodes.target(management, target, null); // names a target that does not exist
    }
    ShellTable table = ListCommand.columns("Driver", "Target", "Group", "Initiators", "LUNs");
    for (TargetInfo t : targets) {
      String groups = "/targets/" + t.driver() + "/" + t.name() + "/ini_groups";
      for (String g : management.object(groups).children()) {
        List<String> initiators = management.object(groups + "/" + g + "/initiators").children();
        String luns = groups + "/" + g + "/luns";
        List<String> mapped = new ArrayList<>();
        for (String lun : management.object(luns).children()) {
          mapped.add(lun + "=" + device(management.object(luns + "/" + lun)));
        }
        table.addRow().addContent(t.driver(), t.name(), g, String.join(", ", initiators),
            String.join(", ", mapped));
      }
    }
    table.print(System.out);
    return null;
  }

  /** The device a LUN node maps, from its {@code device} attribute. */
  private static String device(ObjectInfo lun) {
    return lun.attributes().stream().filter(a -> a.name().equals("device")).findFirst()
        .map(a -> Format.text(a.value())).orElse("?");
  }
}
