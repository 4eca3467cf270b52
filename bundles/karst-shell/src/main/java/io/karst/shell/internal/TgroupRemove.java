package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:tgroup-remove DEVICE_GROUP TARGET_GROUP}: removes a target port group, as
 * scstadmin's {@code -rem_tgrp}.
 */
@Service
@Command(scope = "karst", name = "tgroup-remove",
    description = "Removes an ALUA target port group: del on .../target_groups")
public class TgroupRemove extends TargetGroupCommand {

  @Override
  String run() {
    return execute(targetGroups(), "del " + targetGroup);
  }
}
