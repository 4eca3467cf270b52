package io.karst.shell.internal;

import io.karst.api.mgmt.ManagementException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;

/**
 * {@code karst:config-write [FILE] [--all]}: the running configuration in scst.conf syntax,
 * printed or written to a file, as scstadmin's {@code -write_config}: attributes that differ
 * from their defaults, or with {@code --all} every attribute. A file is replaced whole or not
 * at all (written beside it, then renamed).
 */
@Service
@Command(scope = "karst", name = "config-write",
    description = "Prints or writes the running configuration in scst.conf syntax")
public class ConfigWrite extends ConfigCommand {

  @Argument(index = 0, name = "file", description = "The file to write; printed when not given")
  @Completion(FileCompleter.class)
  String file;

  @Option(name = "--all", aliases = "-a", description = "Every attribute, not only key ones")
  boolean all;

  @Override
  String run() {
    String text = management.write(all);
    if (file == null) {
      System.out.print(text);
      return null;
    }
    Path path = file(file);
    try {
      Path parent = path.toAbsolutePath().getParent();
      Path temp = Files.createTempFile(parent, path.getFileName().toString(), ".tmp");
      try {
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new ManagementException("cannot write " + path + ": " + e.getMessage());
    }
    return "wrote " + path;
  }

  @Override
  String hint() {
    return "name a file in a directory the server can write";
  }
}
