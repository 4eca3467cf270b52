package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:dgroup-remove DEVICE_GROUP}: removes an ALUA device group with its target
 * groups, as scstadmin's {@code -rem_dgrp}.
 */
@Service
@Command(scope = "karst", name = "dgroup-remove",
    description = "Removes an ALUA device group: del on /device_groups")
public class DgroupRemove extends DeviceGroupCommand {

  @Override
  String run() {
    return execute("/device_groups", "del " + deviceGroup);
  }
}
