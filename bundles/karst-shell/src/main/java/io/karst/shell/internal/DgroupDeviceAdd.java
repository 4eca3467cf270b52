package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:dgroup-device-add DEVICE_GROUP DEVICE}: adds a device to an ALUA device group,
 * as scstadmin's {@code -add_dgrp_dev}; its LUNs then report the group's target port groups.
 */
@Service
@Command(scope = "karst", name = "dgroup-device-add",
    description = "Adds a device to an ALUA device group: add on .../devices")
public class DgroupDeviceAdd extends DeviceGroupCommand {

  @Argument(index = 1, name = "device", required = true, description = "The device")
  @Completion(NameCompleter.Devices.class)
  String device;

  @Override
  String run() {
    return execute(path() + "/devices", "add " + device);
  }
}
