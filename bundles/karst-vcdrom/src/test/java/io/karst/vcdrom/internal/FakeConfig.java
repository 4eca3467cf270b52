package io.karst.vcdrom.internal;

import io.karst.api.device.DeviceConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * A device configuration as core gives it, whose prevention of medium removal the test sets
 * and which records the unit attentions the backend establishes.
 */
final class FakeConfig implements DeviceConfig {

  final List<String> unitAttentions = new CopyOnWriteArrayList<>();
  volatile boolean prevented;
  private final Map<String, String> attributes;
  private final Path dataDirectory;
  private final Executor io = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "test-io");
    t.setDaemon(true);
    return t;
  });

  FakeConfig(Path dataDirectory, String filename) {
    this.dataDirectory = dataDirectory;
    this.attributes = Map.of(VcdromHandler.FILENAME.name(),
        VcdromHandler.FILENAME.canonical(filename));
  }

  @Override
  public String name() {
    return "cd0";
  }

  @Override
  public Map<String, String> attributes() {
    return attributes;
  }

  @Override
  public Path dataDirectory() {
    return dataDirectory;
  }

  @Override
  public Executor ioExecutor() {
    return io;
  }

  @Override
  public void unitAttention(int asc, int ascq) {
    unitAttentions.add(String.format("%02X/%02X", asc, ascq));
  }

  @Override
  public boolean mediumRemovalPrevented() {
    return prevented;
  }
}
