package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:tgroup-remove DEVICE_GROUP TARGET_GROUP}: removes a target port group, as
 * scstadmin's {@code -rem_tgrp}.
 */
@Service
@Command(scope = "karst", name = "tgroup-remove",
    description = "Removes an ALUA target port group: del on .../target_groups")
public class TgroupRemove extends DeviceGroupCommand {

  @Argument(index = 1, name = "target-group", required = true,
      description = "The target port group (TARGET_GROUP)")
  @Completion(AluaGroupCompleter.TargetGroups.class)
  String targetGroup;

  @Override
  String run() {
    return execute(path() + "/target_groups", "del " + targetGroup);
  }
}
