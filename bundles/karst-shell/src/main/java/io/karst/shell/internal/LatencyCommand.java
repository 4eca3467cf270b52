package io.karst.shell.internal;

import io.karst.api.mgmt.Management;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/**
 * {@code karst:latency [on|off] [--reset]}: switches latency measurement (SCST's
 * measure_latency), or shows whether it is on.
 */
@Service
@Command(scope = "karst", name = "latency",
    description = "Switches latency measurement on or off, or shows whether it is on")
public class LatencyCommand implements Action {

  @Reference
  Management management;

  @Argument(name = "state", description = "on or off; without it, shows the current state")
  @Completion(value = StringsCompleter.class, values = {"on", "off"})
  String state;

  @Option(name = "-r", aliases = "--reset",
      description = "Also sets every counter and latency histogram back to zero")
  boolean reset;

  @Override
  public Object execute() {
    if (state != null) {
      switch (state) {
        case "on" -> management.latencyMeasurement(true);
        case "off" -> management.latencyMeasurement(false);
        default -> throw new IllegalArgumentException(
            "state must be on or off, not " + state);
      }
    }
    if (reset) {
      management.resetStatistics();
    }
    System.out.println("latency measurement is "
        + (management.latencyMeasurement() ? "on" : "off")
        + (reset ? "; statistics reset" : ""));
    return null;
  }
}
