package io.karst.shell.internal;

import io.karst.api.mgmt.Management;
import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/**
 * Completes target names, from a fresh snapshot on each completion: targets come and go with
 * the configuration. A name that two drivers share is offered once.
 */
@Service
public class TargetCompleter implements Completer {

  @Reference
  Management management;

  @Override
  public int complete(Session session, CommandLine commandLine, List<String> candidates) {
    StringsCompleter names = new StringsCompleter();
    management.targets().forEach(t -> names.getStrings().add(t.name()));
    return names.complete(session, commandLine, candidates);
  }
}
