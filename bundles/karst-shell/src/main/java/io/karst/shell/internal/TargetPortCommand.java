package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;

/** A command about a target port of an ALUA target port group. */
abstract class TargetPortCommand extends TargetGroupCommand {

  @Argument(index = 2, name = "target", required = true,
      description = "The target whose port is in the group: of this system, or another's")
  @Completion(TargetCompleter.class)
  String target;

  /** The target port group's path in the tree. */
  String targetGroupPath() {
    return targetGroups() + "/" + targetGroup;
  }
}
