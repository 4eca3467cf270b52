package io.karst.shell.internal;

import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.Management.AttributeInfo;
import io.karst.api.mgmt.Management.ObjectInfo;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:attr-get PATH [ATTRIBUTE]}: one attribute's value, each value of a multi-valued
 * one on its own line, as a script reads it; without an attribute, every attribute of the node
 * with its value and {@code [key]} mark, as scstadmin's {@code -list_*_attr}.
 */
@Service
@Command(scope = "karst", name = "attr-get",
    description = "Prints attributes of a node of the management tree")
public class AttrGet extends PathCommand {

  @Argument(index = 1, name = "attribute", description = "The attribute; all when not given")
  @Completion(NameCompleter.Attributes.class)
  String attribute;

  @Override
  String run() {
    ObjectInfo node = node();
    if (attribute != null) {
      String value = attribute(node, attribute).value();
      return value == null ? "" : String.join("\n", AttributeDescriptor.values(value));
    }
    var table = ListCommand.columns("Attribute", "Value", "Marks");
    for (AttributeInfo a : node.attributes()) {
      table.addRow().addContent(a.name(), Show.values(a.value()), Show.marks(a));
    }
    table.print(System.out);
    return null;
  }
}
