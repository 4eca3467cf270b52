package io.karst.api.device;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * An open device, as its handler serves it: a {@link BlockBackend} or a {@link CommandBackend}.
 */
@ConsumerType
public interface Backend extends AutoCloseable {

  /**
   * Releases the storage. Core calls it once, after the last command on the device has
   * completed.
   */
  @Override
  void close();
}
