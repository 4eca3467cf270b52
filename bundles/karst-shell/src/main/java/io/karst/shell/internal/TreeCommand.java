package io.karst.shell.internal;

import io.karst.api.mgmt.Management;
import io.karst.api.mgmt.ManagementException;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.support.CommandException;

/**
 * What every command that works through the management tree is: one call to
 * {@link Management}, its answer printed. A refusal is printed as Karaf prints a command's
 * error, without a stack trace (a {@link CommandException} is logged at debug level only),
 * followed by where to look next; {@code bin/client} then exits with status 1.
 */
abstract class TreeCommand implements Action {

  @Reference
  Management management;

  @Override
  public final Object execute() throws CommandException {
    try {
      String done = run();
      if (done != null && !done.isEmpty()) {
        System.out.println(done);
      }
      return null;
    } catch (ManagementException e) {
      throw new CommandException(e.getMessage() + "\n" + hint(), e);
    }
  }

  /** Does the work; returns what to print, or null when it printed already. */
  abstract String run();

  /** Where an administrator whose change was refused looks next. */
  String hint() {
    return "karst:show PATH shows a node's attributes and the commands it accepts";
  }

  /** Runs a management command on {@code path}, as SCST's {@code echo command >path/mgmt}. */
  final String execute(String path, String command) {
    return management.execute(path, command);
  }
}
