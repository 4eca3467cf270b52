package io.karst.shell.internal;

import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:tgroup-add DEVICE_GROUP TARGET_GROUP [group_id=N]}: creates a target port group
 * in a device group, as scstadmin's {@code -add_tgrp}; its state and preferred attributes are
 * set with karst:attr-set or karst:alua-state.
 */
@Service
@Command(scope = "karst", name = "tgroup-add",
    description = "Creates an ALUA target port group: add on .../target_groups")
public class TgroupAdd extends TargetGroupCommand {

  @Argument(index = 2, name = "attribute=value", multiValued = true,
      description = "group_id=N")
  List<String> parameters;

  @Override
  String run() {
    return execute(targetGroups(),
        Nodes.command("add " + targetGroup, Nodes.parameters(parameters)));
  }
}
