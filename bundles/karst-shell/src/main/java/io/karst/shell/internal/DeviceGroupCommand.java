package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;

/** A command about an ALUA device group, named first on the line. */
abstract class DeviceGroupCommand extends TreeCommand {

  @Argument(index = 0, name = "device-group", required = true,
      description = "The ALUA device group (DEVICE_GROUP)")
  @Completion(AluaGroupCompleter.DeviceGroups.class)
  String deviceGroup;

  /** The device group's path in the tree. */
  String path() {
    return "/device_groups/" + deviceGroup;
  }

  @Override
  String hint() {
    return "karst:alua-list shows the device and target groups";
  }
}
