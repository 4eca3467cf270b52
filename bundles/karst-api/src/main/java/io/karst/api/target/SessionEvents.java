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
}
