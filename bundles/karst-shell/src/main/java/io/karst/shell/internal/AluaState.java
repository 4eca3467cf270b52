package io.karst.shell.internal;

import io.karst.api.mgmt.Management;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/**
 * {@code karst:alua-state DEVICE_GROUP TARGET_GROUP STATE}: an implicit ALUA transition, as on
 * a failover; initiators see the new state in REPORT TARGET PORT GROUPS.
 */
@Service
@Command(scope = "karst", name = "alua-state",
    description = "Moves an ALUA target port group to another asymmetric access state")
public class AluaState implements Action {

  @Reference
  Management management;

  @Argument(index = 0, name = "device-group", required = true,
      description = "The device group (DEVICE_GROUP)")
  @Completion(AluaGroupCompleter.DeviceGroups.class)
  String deviceGroup;

  @Argument(index = 1, name = "target-group", required = true,
      description = "The target port group (TARGET_GROUP) in it")
  @Completion(AluaGroupCompleter.TargetGroups.class)
  String targetGroup;

  @Argument(index = 2, name = "state", required = true,
      description = "active, nonoptimized, standby, unavailable, offline or transitioning")
  @Completion(value = StringsCompleter.class, values = {"active", "nonoptimized", "standby",
      "unavailable", "offline", "transitioning"})
  String state;

  @Override
  public Object execute() {
    management.targetGroupState(deviceGroup, targetGroup, state);
    System.out.println("target group " + targetGroup + " of " + deviceGroup + " is " + state);
    return null;
  }
}
