package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:target-disable TARGET}: sets a target's {@code enabled} attribute to 0, as
 * scstadmin's {@code -disable_target}.
 */
@Service
@Command(scope = "karst", name = "target-disable",
    description = "Disables a target: its enabled attribute")
public class TargetDisable extends TargetSwitch {

  @Override
  boolean enable() {
    return false;
  }
}
