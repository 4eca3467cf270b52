package io.karst.shell.internal;

import java.util.ArrayList;
import java.util.List;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;

/**
 * A command about the LUNs of a target: its default LUNs, which every initiator not in a
 * group sees, or with {@code --group} those of an initiator group.
 */
abstract class LunCommand extends TargetCommand {

  @Option(name = "--group", aliases = "-g",
      description = "The initiator group whose LUNs to change, instead of the default LUNs")
  @Completion(NameCompleter.Groups.class)
  String group;

  /** The LUN list's path in the tree. */
  String luns() {
    return Nodes.luns(management, target, driver, group);
  }

  /** LUN parameters: {@code read_only=1} when asked, then those given. */
  static String parameters(boolean readOnly, List<String> given) {
    List<String> all = new ArrayList<>();
    if (readOnly) {
      all.add("read_only=1");
    }
    if (given != null) {
      all.addAll(given);
    }
    return Nodes.parameters(all);
  }

  @Override
  String hint() {
    return "karst:lun-list " + target + " lists its LUNs; karst:device-list the devices";
  }
}
