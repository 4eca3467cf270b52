package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:initiator-add TARGET GROUP PATTERN}: adds an initiator name to a group, as
 * scstadmin's {@code -add_init}. The name may be a pattern: {@code *} matches any text,
 * {@code ?} one character, and a leading {@code !} excludes the initiators that match
 * (quote it from a Unix shell).
 */
@Service
@Command(scope = "karst", name = "initiator-add",
    description = "Adds an initiator name or pattern to a group: add on .../initiators")
public class InitiatorAdd extends GroupCommand {

  @Argument(index = 2, name = "initiator", required = true,
      description = "An initiator name or pattern (*, ?, leading ! to exclude)")
  String initiator;

  @Override
  String run() {
    return execute(initiators(), "add " + initiator);
  }
}
