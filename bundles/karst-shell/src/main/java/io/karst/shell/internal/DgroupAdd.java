package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:dgroup-add DEVICE_GROUP}: creates an ALUA device group, as scstadmin's
 * {@code -add_dgrp}.
 */
@Service
@Command(scope = "karst", name = "dgroup-add",
    description = "Creates an ALUA device group: create on /device_groups")
public class DgroupAdd extends DeviceGroupCommand {

  @Override
  String run() {
    return execute("/device_groups", "create " + deviceGroup);
  }
}
