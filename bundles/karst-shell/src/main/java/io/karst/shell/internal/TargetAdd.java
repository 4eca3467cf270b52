package io.karst.shell.internal;

import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:target-add DRIVER NAME [attribute=value ...]}: adds a target to a driver, as
 * scstadmin's {@code -add_target}; it starts disabled (karst:target-enable), as in SCST.
 */
@Service
@Command(scope = "karst", name = "target-add",
    description = "Adds a target to a driver: add_target on /targets/DRIVER")
public class TargetAdd extends TreeCommand {

  @Argument(index = 0, name = "driver", required = true, description = "The target driver")
  @Completion(NameCompleter.Drivers.class)
  String driver;

  @Argument(index = 1, name = "name", required = true,
      description = "The new target's name, e.g. iqn.2026-11.com.example:storage")
  String name;

  @Argument(index = 2, name = "attribute=value", multiValued = true,
      description = "Create parameters and attributes the driver takes")
  List<String> parameters;

  @Override
  String run() {
    return execute("/targets/" + driver,
        Nodes.command("add_target " + name, Nodes.parameters(parameters)));
  }

  @Override
  String hint() {
    return "karst:show /targets/" + driver + " lists what the driver takes";
  }
}
