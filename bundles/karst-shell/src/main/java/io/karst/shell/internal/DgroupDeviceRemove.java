package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:dgroup-device-remove DEVICE_GROUP DEVICE}: removes a device from an ALUA device
 * group, as scstadmin's {@code -rem_dgrp_dev}.
 */
@Service
@Command(scope = "karst", name = "dgroup-device-remove",
    description = "Removes a device from an ALUA device group: del on .../devices")
public class DgroupDeviceRemove extends DeviceGroupCommand {

  @Argument(index = 1, name = "device", required = true, description = "The device")
  @Completion(NameCompleter.Devices.class)
  String device;

  @Override
  String run() {
    return execute(path() + "/devices", "del " + device);
  }
}
