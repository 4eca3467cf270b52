package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:device-resync NAME}: rereads a device's size after its backing storage grew or
 * shrank, as scstadmin's {@code -resync_dev}; initiators are told by a unit attention
 * (CAPACITY DATA HAS CHANGED).
 */
@Service
@Command(scope = "karst", name = "device-resync",
    description = "Rereads a device's size: resync_size on /devices/NAME")
public class DeviceResync extends TreeCommand {

  @Argument(index = 0, name = "name", required = true, description = "The device")
  @Completion(NameCompleter.Devices.class)
  String name;

  @Override
  String run() {
    return execute("/devices/" + name, "resync_size");
  }
}
