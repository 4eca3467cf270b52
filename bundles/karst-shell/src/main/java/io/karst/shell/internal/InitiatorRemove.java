package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:initiator-remove TARGET GROUP PATTERN}: removes an initiator name or pattern
 * from a group, as scstadmin's {@code -rem_init}.
 */
@Service
@Command(scope = "karst", name = "initiator-remove",
    description = "Removes an initiator name or pattern from a group: del on .../initiators")
public class InitiatorRemove extends GroupCommand {

  @Argument(index = 2, name = "initiator", required = true,
      description = "The initiator name or pattern, as the group lists it")
  @Completion(NameCompleter.Initiators.class)
  String initiator;

  @Override
  String run() {
    return execute(initiators(), "del " + initiator);
  }
}
