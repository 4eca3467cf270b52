package io.karst.api.local;

import io.karst.api.target.SessionException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The in-JVM target driver's service: logs an initiator in to a target of driver
 * {@code local} and returns the nexus to send commands through.
 */
@ProviderType
public interface LocalInitiator {

  /** The driver name local targets are configured under. */
  String DRIVER = "local";

  /**
   * Opens an I_T nexus.
   *
   * @param target a target configured under driver {@value #DRIVER}
   * @param initiator the initiator port name the access rules match
   */
  LocalSession login(String target, String initiator) throws SessionException;
}
