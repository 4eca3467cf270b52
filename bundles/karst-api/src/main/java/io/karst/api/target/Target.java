package io.karst.api.target;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/** A target as its driver sees it: a live view of the configuration. */
@ProviderType
public interface Target {

  String name();

  /** Whether initiators may log in. */
  boolean enabled();

  /** The target's attributes that its driver describes, canonical, with defaults filled in. */
  Map<String, String> attributes();

  /**
   * Whether this initiator may reach the target: it is enabled and the initiator sees at least
   * one LUN through its access rules.
   */
  boolean admits(String initiator);
}
