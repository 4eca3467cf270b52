package io.karst.shell.internal;

import io.karst.api.mgmt.Management;
import java.util.List;
import java.util.stream.Stream;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes the names of ALUA groups, from a fresh snapshot on each completion. */
abstract class AluaGroupCompleter implements Completer {

  @Reference
  Management management;

  /** The names to offer. */
  abstract Stream<String> names();

  @Override
  public int complete(Session session, CommandLine commandLine, List<String> candidates) {
    StringsCompleter names = new StringsCompleter();
    names().forEach(names.getStrings()::add);
    return names.complete(session, commandLine, candidates);
  }

  /** Device group names. */
  @Service
  public static class DeviceGroups extends AluaGroupCompleter {
    @Override
    Stream<String> names() {
      return management.deviceGroups().stream().map(Management.DeviceGroupInfo::name);
    }
  }

  /** Target port group names, of every device group. */
  @Service
  public static class TargetGroups extends AluaGroupCompleter {
    @Override
    Stream<String> names() {
      return management.deviceGroups().stream().flatMap(d -> d.targetGroups().stream())
          .map(Management.TargetGroupInfo::name).distinct();
    }
  }
}
