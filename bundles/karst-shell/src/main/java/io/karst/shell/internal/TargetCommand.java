package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;

/**
 * A command about one target, named by its name; {@code --driver} chooses between drivers
 * that have targets of the same name (the iSCSI and the local driver's default targets, say).
 */
abstract class TargetCommand extends TreeCommand {

  @Argument(index = 0, name = "target", required = true, description = "The target")
  @Completion(TargetCompleter.class)
  String target;

  @Option(name = "--driver", aliases = "-d",
      description = "The target's driver, when more than one has a target of that name")
  @Completion(NameCompleter.Drivers.class)
  String driver;

  /** The target's path in the tree. */
  String path() {
    return Nodes.target(management, target, driver);
  }

  @Override
  String hint() {
    return "karst:target-list lists the targets with their drivers";
  }
}
