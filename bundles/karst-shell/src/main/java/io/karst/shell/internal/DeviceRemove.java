package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:device-remove NAME}: closes and removes a device, as scstadmin's
 * {@code -close_dev}; refused while a LUN still maps it.
 */
@Service
@Command(scope = "karst", name = "device-remove",
    description = "Removes (closes) a device: del_device on its handler")
public class DeviceRemove extends TreeCommand {

  @Argument(index = 0, name = "name", required = true, description = "The device")
  @Completion(NameCompleter.Devices.class)
  String name;

  @Override
  String run() {
    return execute("/handlers/" + Nodes.handler(management, name), "del_device " + name);
  }

  @Override
  String hint() {
    return "karst:lun-list shows the LUNs that map a device";
  }
}
