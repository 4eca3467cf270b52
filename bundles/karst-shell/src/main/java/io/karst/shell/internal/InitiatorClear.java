package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:initiator-clear TARGET GROUP}: removes every initiator pattern of a group, as
 * scstadmin's {@code -clear_inits}.
 */
@Service
@Command(scope = "karst", name = "initiator-clear",
    description = "Removes every initiator pattern of a group: clear on .../initiators")
public class InitiatorClear extends GroupCommand {

  @Override
  String run() {
    return execute(initiators(), "clear");
  }
}
