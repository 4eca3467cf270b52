package io.karst.shell.internal;

import io.karst.api.mgmt.Management;
import io.karst.api.mgmt.Management.ObjectInfo;
import io.karst.api.mgmt.ManagementException;
import java.util.ArrayList;
import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Candidate;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;

/**
 * Completes a path of the management tree one level at a time, as a shell completes file
 * names: the children of the last complete level that start with what follows it. A node with
 * children is offered with a trailing {@code /} and no space, so that the next tab goes on.
 */
@Service
public class PathCompleter implements Completer {

  @Reference
  Management management;

  @Override
  public int complete(Session session, CommandLine commandLine, List<String> candidates) {
    List<Candidate> found = new ArrayList<>();
    completeCandidates(session, commandLine, found);
    found.forEach(c -> candidates.add(c.value()));
    return commandLine.getBufferPosition() - commandLine.getArgumentPosition();
  }

  @Override
  public void completeCandidates(Session session, CommandLine commandLine,
      List<Candidate> candidates) {
    String word = commandLine.getCursorArgument() == null ? ""
        : commandLine.getCursorArgument().substring(0, commandLine.getArgumentPosition());
    candidates.addAll(candidates(word));
  }

  /** The paths that extend {@code typed} by one level. */
  List<Candidate> candidates(String typed) {
    String word = typed.startsWith("/") ? typed : "/" + typed;
    int slash = word.lastIndexOf('/');
    String parent = slash == 0 ? "/" : word.substring(0, slash);
    String prefix = word.substring(slash + 1);
    List<Candidate> candidates = new ArrayList<>();
    try {
      ObjectInfo node = management.object(parent);
      for (String child : node.children()) {
        if (child.startsWith(prefix)) {
          String path = (parent.equals("/") ? "" : parent) + "/" + child;
          boolean leaf = management.object(path).children().isEmpty();
          candidates.add(leaf ? new Candidate(path, true) : new Candidate(path + "/", false));
        }
      }
    } catch (ManagementException e) {
      // nothing at the typed parent: nothing to offer
    }
    return candidates;
  }
}
