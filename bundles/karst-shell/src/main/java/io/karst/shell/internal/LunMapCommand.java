package io.karst.shell.internal;

import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;

/** A command that maps a device to a LUN: {@code VERB LUN DEVICE [read_only=1] ...}. */
abstract class LunMapCommand extends LunCommand {

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

  /** The management command of the LUN list: add or replace. */
  abstract String verb();

  @Override
  String run() {
    return execute(luns(), Nodes.command(verb() + " " + lun + " " + device,
        parameters(readOnly, parameters)));
  }
}
