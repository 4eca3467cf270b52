package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:tgroup-target-remove DEVICE_GROUP TARGET_GROUP TARGET}: removes a target port
 * from a target port group, as scstadmin's {@code -rem_tgrp_tgt}.
 */
@Service
@Command(scope = "karst", name = "tgroup-target-remove",
    description = "Removes a target port from an ALUA target port group: del on .../TARGET_GROUP")
public class TgroupTargetRemove extends DeviceGroupCommand {

  @Argument(index = 1, name = "target-group", required = true,
      description = "The target port group (TARGET_GROUP)")
  @Completion(AluaGroupCompleter.TargetGroups.class)
  String targetGroup;

  @Argument(index = 2, name = "target", required = true,
      description = "The target whose port joins the group, or a remote target's name")
  @Completion(TargetCompleter.class)
  String target;

  @Override
  String run() {
    return execute(path() + "/target_groups/" + targetGroup, "del " + target);
  }
}
