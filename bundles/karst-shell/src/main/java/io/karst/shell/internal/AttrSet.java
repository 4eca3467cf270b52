package io.karst.shell.internal;

import io.karst.api.mgmt.Management.AttributeInfo;
import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:attr-set PATH ATTRIBUTE VALUE ...}: sets a writable attribute, as scstadmin's
 * {@code -set_*_attr}. A multi-valued attribute (IncomingUser, say) takes every value it is to
 * have, each as one argument ({@code "joe secret12chars" "ann other12chars"}); an attribute of
 * one value takes the arguments as one text, separated by spaces.
 */
@Service
@Command(scope = "karst", name = "attr-set",
    description = "Sets a writable attribute of a node of the management tree")
public class AttrSet extends PathCommand {

  @Argument(index = 1, name = "attribute", required = true, description = "The attribute")
  @Completion(NameCompleter.Attributes.class)
  String attribute;

  @Argument(index = 2, name = "value", required = true, multiValued = true,
      description = "The value; one argument per value of a multi-valued attribute")
  List<String> values;

  @Override
  String run() {
    AttributeInfo a = attribute(node(), attribute);
    management.set(path(), attribute, String.join(a.multiValued() ? "\n" : " ", values));
    return path() + " " + attribute + " set";
  }
}
