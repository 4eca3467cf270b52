package io.karst.shell.internal;

import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:lun-replace TARGET LUN DEVICE [--read-only] [--group GROUP]}: maps another
 * device to an existing LUN without removing it first, as scstadmin's {@code -replace_lun};
 * initiators are told by a unit attention (REPORTED LUNS DATA HAS CHANGED).
 */
@Service
@Command(scope = "karst", name = "lun-replace",
    description = "Maps another device to an existing LUN: replace on .../luns")
public class LunReplace extends LunCommand {

  @Argument(index = 1, name = "lun", required = true, description = "The LUN number")
  @Completion(NameCompleter.Luns.class)
  long lun;

  @Argument(index = 2, name = "device", required = true, description = "The device")
  @Completion(NameCompleter.Devices.class)
  String device;

  @Argument(index = 3, name = "attribute=value", multiValued = true,
      description = "Further LUN parameters")
  List<String> parameters;

  @Option(name = "--read-only", aliases = "-r", description = "Initiators may only read it")
  boolean readOnly;

  @Override
  String run() {
    return execute(luns(), Nodes.command("replace " + lun + " " + device,
        parameters(readOnly, parameters)));
  }
}
