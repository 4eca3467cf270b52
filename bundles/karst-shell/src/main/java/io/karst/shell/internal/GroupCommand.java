package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;

/** A command about one initiator group of a target. */
abstract class GroupCommand extends TargetCommand {

  @Argument(index = 1, name = "group", required = true, description = "The initiator group")
  @Completion(NameCompleter.Groups.class)
  String group;

  /** The target's initiator groups' path in the tree. */
  String groups() {
    return path() + "/ini_groups";
  }

  /** The group's initiator patterns' path in the tree. */
  String initiators() {
    return Nodes.initiators(management, target, driver, group);
  }

  @Override
  String hint() {
    return "karst:group-list " + target + " lists its groups with their initiators and LUNs";
  }
}
