package io.karst.shell.internal;

import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:tgroup-target-add DEVICE_GROUP TARGET_GROUP TARGET [rel_tgt_id=N]}: adds a
 * target port to a target port group, as scstadmin's {@code -add_tgrp_tgt}; a target of
 * another system is given with its relative target port identifier.
 */
@Service
@Command(scope = "karst", name = "tgroup-target-add",
    description = "Adds a target port to an ALUA target port group: add on .../TARGET_GROUP")
public class TgroupTargetAdd extends DeviceGroupCommand {

  @Argument(index = 1, name = "target-group", required = true,
      description = "The target port group (TARGET_GROUP)")
  @Completion(AluaGroupCompleter.TargetGroups.class)
  String targetGroup;

  @Argument(index = 2, name = "target", required = true,
      description = "The target whose port joins the group, or a remote target's name")
  @Completion(TargetCompleter.class)
  String target;

  @Argument(index = 3, name = "attribute=value", multiValued = true,
      description = "rel_tgt_id=N, for a target of another system")
  List<String> parameters;

  @Override
  String run() {
    return execute(path() + "/target_groups/" + targetGroup,
        Nodes.command("add " + target, Nodes.parameters(parameters)));
  }
}
