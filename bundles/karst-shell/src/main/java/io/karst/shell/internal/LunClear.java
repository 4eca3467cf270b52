package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:lun-clear TARGET [--group GROUP]}: unmaps every LUN of a target or group, as
 * scstadmin's {@code -clear_luns}.
 */
@Service
@Command(scope = "karst", name = "lun-clear", description = "Unmaps every LUN: clear on .../luns")
public class LunClear extends LunCommand {

  @Override
  String run() {
    return execute(luns(), "clear");
  }
}
