package io.karst.shell.internal;

import io.karst.api.mgmt.ManagementException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A command about a configuration file in scst.conf syntax. The file is on the server: a
 * relative name is taken from the instance's directory ({@code karaf.base}), wherever the
 * shell or {@code bin/client} runs.
 */
abstract class ConfigCommand extends TreeCommand {

  /** The file's path on the server. */
  static Path file(String name) {
    Path path = Path.of(name);
    String base = System.getProperty("karaf.base");
    return path.isAbsolute() || base == null ? path : Path.of(base).resolve(path);
  }

  /**
   * The text of a file.
   *
   * @throws ManagementException saying why it cannot be read
   */
  static String read(String name) {
    Path path = file(name);
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ManagementException("no file " + path);
    } catch (IOException e) {
      throw new ManagementException("cannot read " + path + ": " + e.getMessage());
    }
  }

  /** The name messages give a file: as typed, so that {@code name:line} points at it. */
  static String source(String name) {
    return name;
  }

  @Override
  String hint() {
    return "nothing was changed; karst:config-check FILE checks a file without applying it";
  }
}
