package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:lun-add TARGET LUN DEVICE [--read-only] [--group GROUP]}: maps a device to a
 * new LUN, as scstadmin's {@code -add_lun}.
 */
@Service
@Command(scope = "karst", name = "lun-add",
    description = "Maps a device to a LUN of a target: add on .../luns")
public class LunAdd extends LunMapCommand {

  @Override
  String verb() {
    return "add";
  }
}
