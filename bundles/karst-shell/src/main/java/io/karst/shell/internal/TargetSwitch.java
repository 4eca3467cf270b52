package io.karst.shell.internal;

/** Enables or disables a target: its {@code enabled} attribute, as SCST's. */
abstract class TargetSwitch extends TargetCommand {

  /** Whether the target is to admit initiators. */
  abstract boolean enable();

  @Override
  String run() {
    management.set(path(), "enabled", enable() ? "1" : "0");
    return target + (enable() ? " enabled" : " disabled");
  }
}
