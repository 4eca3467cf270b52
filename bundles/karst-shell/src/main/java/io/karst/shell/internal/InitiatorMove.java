package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:initiator-move TARGET GROUP PATTERN TO_GROUP}: moves an initiator name or
 * pattern to another group of the same target in one step, as scstadmin's
 * {@code -move_init}.
 */
@Service
@Command(scope = "karst", name = "initiator-move",
    description = "Moves an initiator name or pattern to another group: move on .../initiators")
public class InitiatorMove extends GroupCommand {

  @Argument(index = 2, name = "initiator", required = true,
      description = "The initiator name or pattern, as the group lists it")
  @Completion(NameCompleter.Initiators.class)
  String initiator;

  @Argument(index = 3, name = "to-group", required = true, description = "The group to move it to")
  @Completion(NameCompleter.Groups.class)
  String to;

  @Override
  String run() {
    return execute(initiators(), "move " + initiator + " " + to);
  }
}
