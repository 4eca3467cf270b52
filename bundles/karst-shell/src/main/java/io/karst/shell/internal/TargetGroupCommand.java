package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;

/** A command about a target port group of an ALUA device group. */
abstract class TargetGroupCommand extends DeviceGroupCommand {

  @Argument(index = 1, name = "target-group", required = true,
      description = "The target port group (TARGET_GROUP)")
  @Completion(AluaGroupCompleter.TargetGroups.class)
  String targetGroup;

  /** The device group's target port groups' path in the tree. */
  String targetGroups() {
    return path() + "/target_groups";
  }
}
