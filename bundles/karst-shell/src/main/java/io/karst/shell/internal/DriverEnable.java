package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:driver-enable DRIVER}: sets a target driver's {@code enabled} attribute to 1,
 * as SCST's {@code echo 1 >/sys/kernel/scst_tgt/targets/DRIVER/enabled}.
 */
@Service
@Command(scope = "karst", name = "driver-enable",
    description = "Enables a target driver: its enabled attribute")
public class DriverEnable extends DriverSwitch {

  @Override
  boolean enable() {
    return true;
  }
}
