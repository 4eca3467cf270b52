package io.karst.shell.internal;

import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:device-add HANDLER NAME [attribute=value ...]}: opens a device with a handler,
 * as scstadmin's {@code -open_dev}; the handler's node lists the create parameters it takes
 * ({@code karst:show /handlers/HANDLER}).
 */
@Service
@Command(scope = "karst", name = "device-add",
    description = "Adds (opens) a device with a handler: add_device on /handlers/HANDLER")
public class DeviceAdd extends TreeCommand {

  @Argument(index = 0, name = "handler", required = true, description = "The device handler")
  @Completion(NameCompleter.Handlers.class)
  String handler;

  @Argument(index = 1, name = "name", required = true, description = "The new device's name")
  String name;

  @Argument(index = 2, name = "attribute=value", multiValued = true,
      description = "Create parameters, e.g. filename=/srv/disk1.img size=10G")
  List<String> parameters;

  @Override
  String run() {
    return execute("/handlers/" + handler,
        Nodes.command("add_device " + name, Nodes.parameters(parameters)));
  }

  @Override
  String hint() {
    return "karst:show /handlers/" + handler + " lists its create parameters";
  }
}
