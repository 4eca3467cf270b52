package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;

/** Enables or disables a target driver: its {@code enabled} attribute, as SCST's. */
abstract class DriverSwitch extends TreeCommand {

  @Argument(index = 0, name = "driver", required = true, description = "The target driver")
  @Completion(NameCompleter.Drivers.class)
  String driver;

  /** Whether the driver is to serve. */
  abstract boolean enable();

  @Override
  String run() {
    management.set("/targets/" + driver, "enabled", enable() ? "1" : "0");
    return driver + (enable() ? " enabled" : " disabled");
  }
}
