package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:target-remove TARGET}: removes a target with its LUNs and groups, ending its
 * sessions, as scstadmin's {@code -rem_target}.
 */
@Service
@Command(scope = "karst", name = "target-remove",
    description = "Removes a target: del_target on its driver")
public class TargetRemove extends TargetCommand {

  @Override
  String run() {
    String path = path();
    String driverPath = path.substring(0, path.lastIndexOf('/'));
    return execute(driverPath, "del_target " + target);
  }
}
