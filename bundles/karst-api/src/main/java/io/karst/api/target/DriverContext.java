package io.karst.api.target;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** What core gives a started driver: its configuration, its targets, and sessions. */
@ProviderType
public interface DriverContext {

  /**
   * The driver's attributes, checked and canonical, with defaults filled in: after a change of
   * writable ones ({@link TargetDriver#set}), their new values.
   */
  Map<String, String> attributes();

  /** This driver's targets, enabled or not, in configuration order. */
  List<Target> targets();

  /** One of this driver's targets by name. */
  Optional<Target> target(String name);

  /**
   * Opens an I_T nexus between an initiator port and a target.
   *
   * @param target the target's name
   * @param initiator the initiator port's name (iSCSI: the initiator name, or name plus ISID)
   * @param events how core asks the driver to end the session
   * @throws SessionException when the target does not exist, is disabled, or does not admit
   *     this initiator
   */
  Session openSession(String target, String initiator, SessionEvents events)
      throws SessionException;

  /**
   * Opens an I_T nexus, naming the initiator port as persistent reservations see it: core
   * keeps registrations per initiator port, reports them in READ FULL STATUS and matches the
   * TransportIDs of SPEC_I_PT and REGISTER AND MOVE against them. A driver whose initiator
   * name alone does not identify the port (iSCSI: one name, several ISIDs) should use this
   * form; the other one identifies the port by its name.
   *
   * @param transportId the initiator port's TransportID (SPC-4 7.6.4); for iSCSI, format 01b:
   *     the initiator name, {@code ",i,0x"} and the ISID in hexadecimal
   * @see #openSession(String, String, SessionEvents)
   */
  default Session openSession(String target, String initiator, byte[] transportId,
      SessionEvents events) throws SessionException {
    return openSession(target, initiator, events);
  }
}
