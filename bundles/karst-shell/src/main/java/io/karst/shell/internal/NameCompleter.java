package io.karst.shell.internal;

import io.karst.api.mgmt.Management;
import io.karst.api.mgmt.Management.AttributeInfo;
import io.karst.api.mgmt.Management.TargetInfo;
import io.karst.api.mgmt.ManagementException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/**
 * Completes the names of objects, from the running system at each completion: objects come
 * and go with the configuration. The names inside a target (its groups, LUNs, initiators,
 * sessions) are those of the target typed earlier on the line, or of every target when none
 * is.
 */
abstract class NameCompleter implements Completer {

  @Reference
  Management management;

  /** The names to offer, given the words typed so far. */
  abstract Stream<String> names(List<String> words);

  @Override
  public int complete(Session session, CommandLine commandLine, List<String> candidates) {
    StringsCompleter names = new StringsCompleter();
    try {
      names(Arrays.asList(commandLine.getArguments())).distinct()
          .forEach(names.getStrings()::add);
    } catch (ManagementException e) {
      return -1; // nothing at the path typed: nothing to offer
    }
    return names.complete(session, commandLine, candidates);
  }

  /** The paths of the targets named on the line, or of every target. */
  Stream<String> targets(List<String> words) {
    List<TargetInfo> all = management.targets();
    List<TargetInfo> named = all.stream().filter(t -> words.contains(t.name())).toList();
    return (named.isEmpty() ? all : named).stream()
        .map(t -> "/targets/" + t.driver() + "/" + t.name());
  }

  /** The children of a node, none when it does not exist. */
  Stream<String> children(String path) {
    try {
      return management.object(path).children().stream();
    } catch (ManagementException e) {
      return Stream.empty();
    }
  }

  /** The initiator groups named on the line, or all of them. */
  Stream<String> groups(List<String> words, String target) {
    List<String> all = children(target + "/ini_groups").toList();
    List<String> named = all.stream().filter(words::contains).toList();
    return (named.isEmpty() ? all : named).stream();
  }

  /** Device handler names. */
  @Service
  public static class Handlers extends NameCompleter {
    @Override
    Stream<String> names(List<String> words) {
      return management.handlers().stream().map(Management.HandlerInfo::name);
    }
  }

  /** Device names. */
  @Service
  public static class Devices extends NameCompleter {
    @Override
    Stream<String> names(List<String> words) {
      return management.devices().stream().map(Management.DeviceInfo::name);
    }
  }

  /** Target driver names. */
  @Service
  public static class Drivers extends NameCompleter {
    @Override
    Stream<String> names(List<String> words) {
      return management.drivers().stream().map(Management.DriverInfo::name);
    }
  }

  /** Initiator group names of the target on the line. */
  @Service
  public static class Groups extends NameCompleter {
    @Override
    Stream<String> names(List<String> words) {
      return targets(words).flatMap(t -> children(t + "/ini_groups"));
    }
  }

  /** LUN numbers of the target on the line, in its default LUN list or the group's named. */
  @Service
  public static class Luns extends NameCompleter {
    @Override
    Stream<String> names(List<String> words) {
      return targets(words).flatMap(t -> Stream.concat(children(t + "/luns"),
          groups(words, t).flatMap(g -> children(t + "/ini_groups/" + g + "/luns"))));
    }
  }

  /** Initiator patterns of the group on the line. */
  @Service
  public static class Initiators extends NameCompleter {
    @Override
    Stream<String> names(List<String> words) {
      return targets(words).flatMap(t -> groups(words, t)
          .flatMap(g -> children(t + "/ini_groups/" + g + "/initiators")));
    }
  }

  /**
   * The sessions of the target on the line, as the tree names them: by initiator, a second
   * session of one initiator (another ISID) with {@code #2}.
   */
  @Service
  public static class Sessions extends NameCompleter {
    @Override
    Stream<String> names(List<String> words) {
      return targets(words).flatMap(t -> children(t + "/sessions"));
    }
  }

  /** Attribute names of the node whose path is on the line. */
  @Service
  public static class Attributes extends NameCompleter {
    @Override
    Stream<String> names(List<String> words) {
      return words.stream().filter(w -> w.startsWith("/")).findFirst().stream()
          .flatMap(p -> management.object(p).attributes().stream())
          .map(AttributeInfo::name);
    }
  }

  /** Management command names of the node whose path is on the line. */
  @Service
  public static class Commands extends NameCompleter {
    @Override
    Stream<String> names(List<String> words) {
      return words.stream().filter(w -> w.startsWith("/")).findFirst().stream()
          .flatMap(p -> management.object(p).commands().stream())
          .map(Management.CommandInfo::name);
    }
  }
}
