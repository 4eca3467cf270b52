package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:tgroup-target-remove DEVICE_GROUP TARGET_GROUP TARGET}: removes a target port
 * from a target port group, as scstadmin's {@code -rem_tgrp_tgt}.
 */
@Service
@Command(scope = "karst", name = "tgroup-target-remove",
    description = "Removes a target port from an ALUA target port group: del on .../TARGET_GROUP")
public class TgroupTargetRemove extends TargetPortCommand {

  @Override
  String run() {
    return execute(targetGroupPath(), "del " + target);
  }
}
