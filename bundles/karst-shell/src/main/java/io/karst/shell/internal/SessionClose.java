package io.karst.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code karst:session-close TARGET INITIATOR}: ends an initiator's session with a target, as
 * scstadmin's {@code -close_sess}; the initiator may log in again.
 */
@Service
@Command(scope = "karst", name = "session-close",
    description = "Closes an initiator's session: close on .../sessions/INITIATOR")
public class SessionClose extends SessionCommand {

  @Override
  String run() {
    return execute(sessionPath(), "close");
  }
}
