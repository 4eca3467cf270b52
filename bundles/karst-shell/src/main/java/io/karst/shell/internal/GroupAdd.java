package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:group-add TARGET GROUP}: creates an initiator group, as scstadmin's
 * {@code -add_group}: initiators that match its patterns see its LUNs instead of the
 * target's default LUNs.
 */
@Service
@Command(scope = "karst", name = "group-add",
    description = "Creates an initiator group: create on .../ini_groups")
public class GroupAdd extends GroupCommand {

  @Override
  String run() {
    return execute(groups(), "create " + group);
  }
}
