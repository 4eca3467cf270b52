package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:config-clear [--force]}: removes every device, target, group and ALUA group, as
 * scstadmin's {@code -clear_config}: an empty configuration applied with force. Without
 * {@code --force} it only prints what would go, as scstadmin asks before it clears.
 */
@Service
@Command(scope = "karst", name = "config-clear",
    description = "Removes the whole configuration (prints the plan unless --force)")
public class ConfigClear extends ConfigCommand {

  @Option(name = "--force", aliases = "-f", description = "Really remove everything")
  boolean force;

  @Override
  String run() {
    var report = management.apply("", "empty configuration", true, !force);
    StringBuilder out = new StringBuilder(force ? "Removed:\n"
        : "Would remove (repeat with --force to do it):\n");
    report.plan().forEach(step -> out.append("  ").append(step).append('\n'));
    report.notApplied().forEach(step -> out.append("  not removed: ").append(step).append('\n'));
    return out.toString().stripTrailing();
  }
}
