package io.karst.shell.internal;

import io.karst.api.mgmt.Management.AttributeInfo;
import io.karst.api.mgmt.Management.ObjectInfo;
import io.karst.api.mgmt.ManagementException;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;

/** A command about one node of the management tree, named by its path. */
abstract class PathCommand extends TreeCommand {

  @Argument(index = 0, name = "path", required = true,
      description = "A path in the management tree, e.g. /targets/iscsi or /devices/disk0")
  @Completion(PathCompleter.class)
  String path;

  /** The node at {@link #path}, which may be given without its leading {@code /}. */
  ObjectInfo node() {
    return management.object(path());
  }

  String path() {
    return path.startsWith("/") ? path : "/" + path;
  }

  /**
   * An attribute of a node.
   *
   * @throws ManagementException naming the node's attributes when it has none of that name
   */
  static AttributeInfo attribute(ObjectInfo node, String name) {
    return node.attributes().stream().filter(a -> a.name().equals(name)).findFirst()
        .orElseThrow(() -> new ManagementException(node.path() + " has no attribute " + name
            + "; it has " + String.join(", ",
                node.attributes().stream().map(AttributeInfo::name).toList())));
  }

  @Override
  String hint() {
    return "karst:show " + path() + " shows its attributes and commands; karst:ls / browses the"
        + " tree";
  }
}
