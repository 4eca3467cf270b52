package io.karst.api.target;

import org.osgi.annotation.versioning.ConsumerType;

/** What core tells a driver about one of its sessions. */
@ConsumerType
public interface SessionEvents {

  /**
   * Core wants the session ended (target disabled or removed, an administrator closed it): the
   * driver asks the initiator to log out where its protocol can, then ends the session with
   * {@link Session#close()}.
   */
  void closeRequested(String reason);

  /**
   * What the session is now, for the management view: core asks each time an administrator
   * or a tool reads the session, from a management thread, so the driver answers from what it
   * holds, without waiting on the network. The default shows nothing beyond core's own
   * attributes.
   *
   * @see TargetDriver#sessionAttributes()
   */
  default SessionDetails details() {
    return SessionDetails.NONE;
  }
}
