package io.karst.shell.internal;

import io.karst.api.mgmt.Management.ApplyReport;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;

/**
 * {@code karst:config-apply FILE [--force] [--dry-run]}: applies a configuration file as a
 * difference to the running system, as scstadmin's {@code -config}: prints each step taken
 * (or, with {@code --dry-run}, to be taken) and what differs but was left alone; objects the
 * file does not have are removed, and create-time attributes changed, only with
 * {@code --force}.
 */
@Service
@Command(scope = "karst", name = "config-apply",
    description = "Applies an scst.conf file as a difference to the running system")
public class ConfigApply extends ConfigCommand {

  @Argument(index = 0, name = "file", required = true,
      description = "The file, in scst.conf syntax")
  @Completion(FileCompleter.class)
  String file;

  @Option(name = "--force", aliases = "-f",
      description = "Also remove what the file does not have and recreate objects whose"
          + " create-time attributes differ")
  boolean force;

  @Option(name = "--dry-run", aliases = "-n", description = "Only print the plan")
  boolean dryRun;

  @Override
  String run() {
    ApplyReport report = management.apply(read(file), source(file), force, dryRun);
    StringBuilder out = new StringBuilder();
    if (report.plan().isEmpty()) {
      out.append("nothing to do: the running system matches ").append(file).append('\n');
    } else {
      out.append(report.applied() ? "Applied:\n" : "Plan (dry run, nothing changed):\n");
      report.plan().forEach(step -> out.append("  ").append(step).append('\n'));
    }
    if (!report.notApplied().isEmpty()) {
      out.append(force ? "Not applied:\n" : "Not applied (--force would):\n");
      report.notApplied().forEach(step -> out.append("  ").append(step).append('\n'));
    }
    return out.toString().stripTrailing();
  }
}
