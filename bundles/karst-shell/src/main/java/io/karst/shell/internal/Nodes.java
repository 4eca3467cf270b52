package io.karst.shell.internal;

import io.karst.api.mgmt.Management;
import io.karst.api.mgmt.Management.TargetInfo;
import io.karst.api.mgmt.ManagementException;
import java.util.List;

/**
 * The paths of the management tree that the commands address, found from the names an
 * administrator types: a target by its name alone unless two drivers share it, a device's
 * handler from the device.
 */
final class Nodes {

  private Nodes() {}

  /**
   * The path of a target: {@code /targets/DRIVER/NAME}. Without a driver, the one driver that
   * has a target of that name.
   *
   * @throws ManagementException when no driver, or more than one, has such a target
   */
  static String target(Management management, String name, String driver) {
    if (driver != null) {
      return "/targets/" + driver + "/" + name;
    }
    List<String> drivers = management.targets().stream().filter(t -> t.name().equals(name))
        .map(TargetInfo::driver).distinct().toList();
    if (drivers.isEmpty()) {
      throw new ManagementException("no target " + name + " (karst:target-list lists them)");
    }
    if (drivers.size() > 1) {
      throw new ManagementException("target " + name + " exists for drivers "
          + String.join(" and ", drivers) + ": name one with --driver");
    }
    return "/targets/" + drivers.get(0) + "/" + name;
  }

  /**
   * The path of a target's LUN list: its default one ({@code .../luns}), or an initiator
   * group's ({@code .../ini_groups/GROUP/luns}).
   */
  static String luns(Management management, String target, String driver, String group) {
    String path = target(management, target, driver);
    return group == null ? path + "/luns" : path + "/ini_groups/" + group + "/luns";
  }

  /** The path of an initiator group's initiator patterns. */
  static String initiators(Management management, String target, String driver, String group) {
    return target(management, target, driver) + "/ini_groups/" + group + "/initiators";
  }

  /**
   * The handler of a configured device.
   *
   * @throws ManagementException when no device has that name
   */
  static String handler(Management management, String device) {
    return management.devices().stream().filter(d -> d.name().equals(device)).findFirst()
        .orElseThrow(() -> new ManagementException("no device " + device
            + " (karst:device-list lists them)"))
        .handler();
  }

  /**
   * Parameters of a management command in SCST's syntax: {@code name=value} pairs separated by
   * semicolons ({@code filename=/srv/d.img; size=10G}).
   *
   * @throws ManagementException naming a parameter that is not {@code name=value}
   */
  static String parameters(List<String> pairs) {
    if (pairs == null || pairs.isEmpty()) {
      return "";
    }
    for (String pair : pairs) {
      if (pair.indexOf('=') <= 0) {
        throw new ManagementException("parameter " + pair + " is not attribute=value");
      }
    }
    return String.join("; ", pairs);
  }

  /** A command and its parameters, separated by a space when there are any. */
  static String command(String command, String parameters) {
    return parameters.isEmpty() ? command : command + " " + parameters;
  }
}
