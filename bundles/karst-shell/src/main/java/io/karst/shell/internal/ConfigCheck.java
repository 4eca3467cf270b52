package io.karst.shell.internal;

import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;

/**
 * {@code karst:config-check FILE}: checks a configuration file without applying it, as
 * scstadmin's {@code -check_config}: the first error with its line, or the warnings.
 */
@Service
@Command(scope = "karst", name = "config-check",
    description = "Checks an scst.conf file without applying it")
public class ConfigCheck extends ConfigCommand {

  @Argument(index = 0, name = "file", required = true,
      description = "The file, in scst.conf syntax")
  @Completion(FileCompleter.class)
  String file;

  @Override
  String run() {
    List<String> warnings = management.check(read(file), source(file));
    StringBuilder out = new StringBuilder(file).append(": no errors");
    if (!warnings.isEmpty()) {
      out.append(", ").append(warnings.size())
          .append(warnings.size() == 1 ? " warning" : " warnings");
      warnings.forEach(w -> out.append("\n  ").append(w));
    }
    return out.toString();
  }

  @Override
  String hint() {
    return "fix the line named and check again";
  }
}
