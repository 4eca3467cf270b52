package io.karst.shell.internal;

import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:tgroup-target-add DEVICE_GROUP TARGET_GROUP TARGET [rel_tgt_id=N]}: adds a
 * target port to a target port group, as scstadmin's {@code -add_tgrp_tgt}; a target of
 * another system is given with its relative target port identifier.
 */
@Service
@Command(scope = "karst", name = "tgroup-target-add",
    description = "Adds a target port to an ALUA target port group: add on .../TARGET_GROUP")
public class TgroupTargetAdd extends TargetPortCommand {

  @Argument(index = 3, name = "attribute=value", multiValued = true,
      description = "rel_tgt_id=N, for a target of another system")
  List<String> parameters;

  @Override
  String run() {
    return execute(targetGroupPath(),
        Nodes.command("add " + target, Nodes.parameters(parameters)));
  }
}
