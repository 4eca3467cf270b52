package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:driver-disable DRIVER}: sets a target driver's {@code enabled} attribute to 0,
 * as SCST's {@code echo 0 >/sys/kernel/scst_tgt/targets/DRIVER/enabled}.
 */
@Service
@Command(scope = "karst", name = "driver-disable",
    description = "Disables a target driver: its enabled attribute")
public class DriverDisable extends DriverSwitch {

  @Override
  boolean enable() {
    return false;
  }
}
