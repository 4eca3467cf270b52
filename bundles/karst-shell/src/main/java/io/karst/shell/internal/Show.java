package io.karst.shell.internal;

import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.Management.AttributeInfo;
import io.karst.api.mgmt.Management.ObjectInfo;
import java.util.ArrayList;
import java.util.List;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:show PATH}: a node of the management tree as its owner describes it, the help
 * of every driver and handler without the shell knowing them: its attributes with value,
 * default, marks ({@code [key]} when a saved configuration holds the value, {@code rw} when it
 * can be set at runtime, {@code create} when it is given only at creation) and description;
 * the management commands it accepts with their usage; its children.
 */
@Service
@Command(scope = "karst", name = "show",
    description = "Shows a node of the management tree: attributes, commands, children")
public class Show extends PathCommand {

  @Override
  String run() {
    ObjectInfo node = node();
    System.out.println(node.path() + " (" + node.kind() + ")");
    if (!node.attributes().isEmpty()) {
      System.out.println();
      var table = ListCommand.columns("Attribute", "Value", "Default", "Marks", "Description");
      for (AttributeInfo a : node.attributes()) {
        table.addRow().addContent(a.name(), values(a.value()), values(a.defaultValue()),
            marks(a), Format.text(a.description()));
      }
      table.print(System.out);
    }
    if (!node.commands().isEmpty()) {
      System.out.println();
      var table = ListCommand.columns("Command", "Usage", "Description");
      for (var c : node.commands()) {
        table.addRow().addContent(c.name(), c.usage(), c.description());
      }
      table.print(System.out);
    }
    if (!node.children().isEmpty()) {
      System.out.println();
      System.out.println("Children: " + String.join(" ", node.children()));
    }
    return null;
  }

  /** A multi-valued attribute's values on one line, separated by commas. */
  static String values(String canonical) {
    return canonical == null ? "" : String.join(", ", AttributeDescriptor.values(canonical));
  }

  /** SCST's {@code [key]} mark, then whether the value can change and when. */
  static String marks(AttributeInfo a) {
    List<String> marks = new ArrayList<>();
    if (a.key()) {
      marks.add("[key]");
    }
    if (a.writable()) {
      marks.add("rw");
    } else if (a.createParameter()) {
      marks.add("create");
    } else {
      marks.add("ro");
    }
    if (a.multiValued()) {
      marks.add("multi");
    }
    return String.join(" ", marks);
  }
}
