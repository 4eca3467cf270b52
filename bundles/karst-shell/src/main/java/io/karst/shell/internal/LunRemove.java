package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:lun-remove TARGET LUN [--group GROUP]}: unmaps a LUN, as scstadmin's
 * {@code -rem_lun}; the device stays.
 */
@Service
@Command(scope = "karst", name = "lun-remove", description = "Unmaps a LUN: del on .../luns")
public class LunRemove extends LunCommand {

  @Argument(index = 1, name = "lun", required = true, description = "The LUN number")
  @Completion(NameCompleter.Luns.class)
  long lun;

  @Override
  String run() {
    return execute(luns(), "del " + lun);
  }
}
