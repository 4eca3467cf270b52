package io.karst.shell.internal;

import io.karst.api.mgmt.Management.SessionInfo;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * {@code karst:target-list}: every target with its driver, whether it is enabled, how many LUNs
 * it has and how many sessions are open to it. Target names are unique per driver only, so
 * sessions are counted by driver and name.
 */
@Service
@Command(scope = "karst", name = "target-list", description = "Lists targets")
public class TargetList extends ListCommand {

  @Override
  ShellTable table() {
    Map<List<String>, Long> sessions = management.sessions().stream().collect(
        Collectors.groupingBy(s -> List.of(s.driver(), s.target()), Collectors.counting()));
    ShellTable table = columns("Driver", "Target", "Enabled", "LUNs", "Sessions");
    for (var t : management.targets()) {
      table.addRow().addContent(t.driver(), t.name(), Format.yesNo(t.enabled()),
          t.luns().size(), sessions.getOrDefault(List.of(t.driver(), t.name()), 0L));
    }
    return table;
  }
}
