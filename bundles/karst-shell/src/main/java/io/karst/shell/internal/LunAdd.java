package io.karst.shell.internal;

import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:lun-add TARGET LUN DEVICE [--read-only] [--group GROUP]}: maps a device to a
 * new LUN, as scstadmin's {@code -add_lun}.
 */
@Service
@Command(scope = "karst", name = "lun-add",
    description = "Maps a device to a LUN of a target: add on .../luns")
public class LunAdd extends LunCommand {

  @Argument(index = 1, name = "lun", required = true, description = "The LUN number")
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
    return execute(luns(), Nodes.command("add " + lun + " " + device,
        parameters(readOnly, parameters)));
  }
}
