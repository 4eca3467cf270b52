package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:group-remove TARGET GROUP}: removes an initiator group with its LUNs and
 * patterns, as scstadmin's {@code -rem_group}.
 */
@Service
@Command(scope = "karst", name = "group-remove",
    description = "Removes an initiator group: del on .../ini_groups")
public class GroupRemove extends GroupCommand {

  @Override
  String run() {
    return execute(groups(), "del " + group);
  }
}
