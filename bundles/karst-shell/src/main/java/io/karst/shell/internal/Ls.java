package io.karst.shell.internal;

import io.karst.api.mgmt.Management.ObjectInfo;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * {@code karst:ls [PATH] [-r]}: the children of a node of the management tree with their kind
 * and how many attributes, commands and children each has; with {@code -r}, every node below,
 * by path.
 */
@Service
@Command(scope = "karst", name = "ls",
    description = "Lists the children of a node of the management tree")
public class Ls extends TreeCommand {

  @Argument(index = 0, name = "path",
      description = "A path in the management tree; / when not given")
  @Completion(PathCompleter.class)
  String path = "/";

  @Option(name = "--recursive", aliases = "-r", description = "Every node below, by path")
  boolean recursive;

  @Override
  String run() {
    String start = path.startsWith("/") ? path : "/" + path;
    ShellTable table = ListCommand.columns("Path", "Kind", "Attributes", "Commands", "Children");
    list(management.object(start), table);
    table.print(System.out);
    return null;
  }

  private void list(ObjectInfo node, ShellTable table) {
    for (String name : node.children()) {
      ObjectInfo child = management.object(
          (node.path().equals("/") ? "" : node.path()) + "/" + name);
      table.addRow().addContent(child.path(), child.kind(), child.attributes().size(),
          child.commands().size(), child.children().size());
      if (recursive) {
        list(child, table);
      }
    }
  }

  @Override
  String hint() {
    return "karst:ls / lists the top of the tree";
  }
}
