package io.karst.api.device;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executor;
import org.osgi.annotation.versioning.ProviderType;

/** What core gives a handler to open one device. */
@ProviderType
public interface DeviceConfig {

  /** The device's name, unique in the server. */
  String name();

  /**
   * The device's attributes that its handler describes, checked and in canonical form, with
   * defaults filled in.
   */
  Map<String, String> attributes();

  /** One attribute, or null when it has neither a value nor a default. */
  default String attribute(String name) {
    return attributes().get(name);
  }

  /** The directory that relative paths in attributes resolve against; it exists. */
  Path dataDirectory();

  /** Threads for this device's blocking work, sized by core's settings. */
  Executor ioExecutor();

  /**
   * Establishes a unit attention condition, with this additional sense code and qualifier, on
   * every I_T nexus through which a LUN reaches this device (SPC-4 5.14), for a change the
   * handler made that initiators must learn of: a medium changed (28h/00h), capacity data
   * changed (2Ah/09h). Core queues it per I_T_L nexus and reports it by the standard's rules;
   * the handler may call it from any thread.
   */
  void unitAttention(int asc, int ascq);

  /**
   * Whether any I_T nexus prevents the removal of the device's medium (PREVENT ALLOW MEDIUM
   * REMOVAL, which core executes and tracks per nexus for a {@link CommandBackend} that names
   * its device type, ending each nexus's prevention with the nexus and with resets). A backend
   * with a removable medium refuses to eject it meanwhile.
   */
  default boolean mediumRemovalPrevented() {
    // Core answers for the devices it opens; this default serves a handler's test fakes.
    return false;
  }
}
