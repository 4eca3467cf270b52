package io.karst.core.internal;

import io.karst.api.device.Backend;
import io.karst.api.device.BlockBackend;
import io.karst.api.device.DeviceConfig;
import io.karst.api.device.DeviceException;
import io.karst.api.device.DeviceHandler;
import io.karst.api.device.IoCompletion;
import io.karst.api.device.MediumException;
import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test handler "memory": devices in byte arrays that survive the handler leaving and
 * returning (as files would), with a switch to make I/O fail.
 */
final class MemoryHandler implements DeviceHandler {

  final Map<String, byte[]> media = new java.util.concurrent.ConcurrentHashMap<>();
  volatile Throwable failure;
  /**
   * When not -1, the byte offset at which reads and writes that reach it stop: what lies before
   * is transferred, then they fail with a {@link MediumException} there.
   */
  volatile long failAt = -1;
  /** While set, reads and writes wait in {@link #parked} until the test runs them. */
  volatile boolean park;
  final List<Runnable> parked = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** While set, writes and unmaps wait in {@link #parked} too. */
  volatile boolean parkWrites;
  final AtomicInteger closed = new AtomicInteger();
  /** Flushes of the write cache, all devices. */
  final AtomicInteger flushes = new AtomicInteger();
  final List<String> unmapped = new java.util.concurrent.CopyOnWriteArrayList<>();
  /**
   * Whether resync_size reads the size in place (the medium as {@link #media} holds it now)
   * rather than leaving core to reopen the device; a medium of 0 bytes is refused.
   */
  volatile boolean resyncInPlace;
  /** Each {@code label} set in place, as "DEVICE VALUE" ("null" when taken out). */
  final List<String> labels = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** How many bytes the devices' read cache holds; 0: they have none. */
  volatile long cacheBytes;
  /** Each range brought into the cache, as "OFFSET+LENGTH". */
  final List<String> prefetched = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** The FUA flag of each write, in order. */
  final List<Boolean> fua = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** The threads the writes ran on, in order. */
  final List<String> writers = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** The threads that looked for allocated blocks, in order. */
  final List<String> seekers = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** What each device was last opened with, to call back into core. */
  final Map<String, DeviceConfig> configs = new java.util.concurrent.ConcurrentHashMap<>();

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public List<AttributeDescriptor> deviceAttributes() {
    return List.of(
        AttributeDescriptor.builder("size", AttributeType.SIZE).defaultValue("1M").writable()
            .build(),
        AttributeDescriptor.builder("blocksize", AttributeType.INTEGER).defaultValue("512")
            .build(),
        AttributeDescriptor.builder("wce", AttributeType.BOOLEAN).defaultValue("1").build(),
        AttributeDescriptor.builder("wce_changeable", AttributeType.BOOLEAN).defaultValue("0")
            .build(),
        AttributeDescriptor.builder("thin", AttributeType.BOOLEAN).defaultValue("0").build(),
        AttributeDescriptor.builder("lbppbe", AttributeType.INTEGER).defaultValue("0").build(),
        AttributeDescriptor.builder("dummy", AttributeType.BOOLEAN).defaultValue("0").build(),
        AttributeDescriptor.builder("label", AttributeType.STRING).writable().build());
  }

  @Override
  public Backend open(DeviceConfig config) throws DeviceException {
    int size = Integer.parseInt(config.attribute("size"));
    int blockSize = Integer.parseInt(config.attribute("blocksize"));
    if (size == 0) {
      throw new DeviceException(config.name() + ": size 0");
    }
    byte[][] medium = {media.computeIfAbsent(config.name(), n -> new byte[size])};
    configs.put(config.name(), config);
    boolean[] wce = {"1".equals(config.attribute("wce"))};
    boolean wceChangeable = "1".equals(config.attribute("wce_changeable"));
    boolean thin = "1".equals(config.attribute("thin"));
    int lbppbe = Integer.parseInt(config.attribute("lbppbe"));
    boolean dummy = "1".equals(config.attribute("dummy"));
    // A thin device's allocation, per 512 bytes: set by writes, cleared by unmaps.
    java.util.BitSet allocated = new java.util.BitSet();
    return new BlockBackend() {
      @Override
      public int blockSize() {
        return blockSize;
      }

      @Override
      public long blockCount() {
        return medium[0].length / blockSize;
      }

      /** A new size keeps the data that fits, as a file grown or truncated would. */
      @Override
      public void set(String attribute, String value) throws DeviceException {
        if (attribute.equals("label")) {
          labels.add(config.name() + " " + value);
          return;
        }
        if (!attribute.equals("size")) {
          throw new DeviceException(attribute + " is not writable");
        }
        int bytes = Integer.parseInt(value);
        if (bytes % blockSize != 0 || bytes == 0) {
          throw new DeviceException("size " + bytes + " is not a whole number of blocks");
        }
        medium[0] = java.util.Arrays.copyOf(medium[0], bytes);
        media.put(config.name(), medium[0]);
      }

      @Override
      public boolean resyncSize() throws DeviceException {
        if (!resyncInPlace) {
          return false;
        }
        byte[] now = media.get(config.name());
        if (now.length == 0) {
          throw new DeviceException("the medium is empty");
        }
        medium[0] = now;
        return true;
      }

      @Override
      public boolean writeCacheEnabled() {
        return wce[0];
      }

      @Override
      public boolean writeCacheChangeable() {
        return wceChangeable;
      }

      @Override
      public void writeCacheEnabled(boolean enabled) {
        wce[0] = enabled;
      }

      @Override
      public int physicalBlockExponent() {
        return lbppbe;
      }

      @Override
      public boolean placeholder() {
        return dummy;
      }

      @Override
      public void read(long offset, ByteBuffer dst, IoCompletion completion) {
        byte[] m = medium[0];
        if (park) {
          parked.add(() -> {
            dst.put(m, (int) offset, dst.remaining());
            completion.completed();
          });
          return;
        }
        if (failure != null) {
          completion.failed(failure);
          return;
        }
        int reached = reached(offset, dst.remaining());
        dst.put(m, (int) offset, reached);
        if (dst.hasRemaining()) {
          completion.failed(new MediumException(failAt, "simulated", null));
          return;
        }
        completion.completed();
      }

      @Override
      public void write(long offset, ByteBuffer src, boolean fua, IoCompletion completion) {
        MemoryHandler.this.fua.add(fua);
        writers.add(Thread.currentThread().getName());
        // The medium of the moment the write is stored, as a file resized meanwhile.
        Runnable store = () -> {
          int reached = reached(offset, src.remaining());
          allocated.set((int) (offset / 512), (int) ((offset + reached) / 512));
          src.get(medium[0], (int) offset, reached);
          if (src.hasRemaining()) {
            completion.failed(new MediumException(failAt, "simulated", null));
            return;
          }
          completion.completed();
        };
        if (parkWrites) {
          parked.add(store);
        } else if (failure != null) {
          completion.failed(failure);
        } else {
          store.run();
        }
      }

      @Override
      public void flush(IoCompletion completion) {
        flushes.incrementAndGet();
        completion.completed();
      }

      @Override
      public boolean cacheHolds(long length) {
        return length <= cacheBytes;
      }

      @Override
      public void prefetch(long offset, long length, IoCompletion completion) {
        if (failure != null) {
          completion.failed(failure);
          return;
        }
        prefetched.add(offset + "+" + length);
        completion.completed();
      }

      @Override
      public boolean supportsUnmap() {
        return thin;
      }

      @Override
      public long availableBytes() {
        return thin ? 5L << 20 : -1;
      }

      @Override
      public long findAllocation(long offset, boolean data) {
        seekers.add(Thread.currentThread().getName());
        if (!thin) {
          return -1;
        }
        int from = (int) (offset / 512);
        int found = data ? allocated.nextSetBit(from) : allocated.nextClearBit(from);
        return found < 0 ? medium[0].length : Math.min(medium[0].length, found * 512L);
      }

      @Override
      public void unmap(long offset, long length, IoCompletion completion) {
        byte[] m = medium[0];
        Runnable deallocate = () -> {
          java.util.Arrays.fill(m, (int) offset, (int) (offset + length), (byte) 0);
          allocated.clear((int) (offset / 512), (int) ((offset + length) / 512));
          unmapped.add(offset + "+" + length);
          completion.completed();
        };
        if (parkWrites) {
          parked.add(deallocate);
        } else if (failure != null) {
          completion.failed(failure);
        } else {
          deallocate.run();
        }
      }

      @Override
      public void close() {
        closed.incrementAndGet();
      }
    };
  }

  /** How many of {@code length} bytes at {@code offset} come before {@link #failAt}. */
  private int reached(long offset, int length) {
    long at = failAt;
    return at >= offset && at < offset + length ? (int) (at - offset) : length;
  }

  static IOException ioError() {
    return new IOException("simulated");
  }
}
