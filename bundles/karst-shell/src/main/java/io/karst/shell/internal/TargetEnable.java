package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:target-enable TARGET}: sets a target's {@code enabled} attribute to 1, as
 * scstadmin's {@code -enable_target}.
 */
@Service
@Command(scope = "karst", name = "target-enable",
    description = "Enables a target: its enabled attribute")
public class TargetEnable extends TargetSwitch {

  @Override
  boolean enable() {
    return true;
  }
}
