package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:lun-replace TARGET LUN DEVICE [--read-only] [--group GROUP]}: maps another
 * device to an existing LUN without removing it first, as scstadmin's {@code -replace_lun};
 * initiators are told by a unit attention (REPORTED LUNS DATA HAS CHANGED).
 */
@Service
@Command(scope = "karst", name = "lun-replace",
    description = "Maps another device to an existing LUN: replace on .../luns")
public class LunReplace extends LunMapCommand {

  @Override
  String verb() {
    return "replace";
  }
}
