package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;

/** A command about one session of a target, named by its initiator as the tree names it. */
abstract class SessionCommand extends TargetCommand {

  @Argument(index = 1, name = "initiator", required = true,
      description = "The initiator's name, as karst:session-list shows it")
  @Completion(NameCompleter.Sessions.class)
  String initiator;

  /** The session's path in the tree. */
  String sessionPath() {
    return path() + "/sessions/" + initiator;
  }

  @Override
  String hint() {
    return "karst:session-list lists the open sessions";
  }
}
