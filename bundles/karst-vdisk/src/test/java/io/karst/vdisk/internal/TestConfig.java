package io.karst.vdisk.internal;

import io.karst.api.device.DeviceConfig;
import io.karst.api.mgmt.AttributeDescriptor;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/** A device configuration as core would give it: defaults filled in, canonical values. */
record TestConfig(String name, Map<String, String> attributes, Path dataDirectory,
    Executor ioExecutor) implements DeviceConfig {

  static TestConfig of(List<AttributeDescriptor> described, Path dir, String... pairs) {
    Map<String, String> a = new HashMap<>();
    for (AttributeDescriptor d : described) {
      if (d.defaultValue() != null) {
        a.put(d.name(), d.canonical(d.defaultValue()));
      }
    }
    for (int i = 0; i < pairs.length; i += 2) {
      String name = pairs[i];
      AttributeDescriptor d = described.stream().filter(x -> x.name().equals(name))
          .findFirst().orElseThrow();
      a.put(name, d.canonical(pairs[i + 1]));
    }
    return new TestConfig("disk0", a, dir, Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "test-io");
      t.setDaemon(true);
      return t;
    }));
  }

  @Override
  public void unitAttention(int asc, int ascq) {
    throw new AssertionError("unexpected unit attention " + asc + "/" + ascq);
  }

  @Override
  public boolean mediumRemovalPrevented() {
    return false;
  }
}
