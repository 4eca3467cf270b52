package io.karst.shell.internal;

import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:mgmt PATH COMMAND ...}: runs any management command a node accepts, in SCST's
 * syntax, as {@code echo "COMMAND" >PATH/mgmt} does in SCST's sysfs; {@code karst:show PATH}
 * lists the commands with their usage. The dedicated commands (device-add, lun-add, ...) are
 * this with the path found for the administrator.
 */
@Service
@Command(scope = "karst", name = "mgmt",
    description = "Runs a management command of a node of the management tree")
public class Mgmt extends PathCommand {

  @Argument(index = 1, name = "command", required = true, multiValued = true,
      description = "The command and its parameters, e.g. add_device disk1 filename=/srv/d1.img")
  @Completion(NameCompleter.Commands.class)
  List<String> command;

  @Override
  String run() {
    return execute(path(), String.join(" ", command));
  }
}
