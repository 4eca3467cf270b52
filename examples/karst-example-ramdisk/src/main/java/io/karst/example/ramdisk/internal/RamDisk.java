package io.karst.example.ramdisk.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.device.DeviceException;
import io.karst.api.device.IoCompletion;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One RAM disk: chunks of memory allocated on the first write of data other than zeros, so a
 * large disk costs only what is written. A chunk that was never written, or was unmapped,
 * reads as zeros, which makes the disk thin provisioned with zeroed deallocated blocks.
 *
 * <p>Every operation is a memory copy, so each completes inline on the calling thread, which
 * {@link BlockBackend} allows for a backend with nothing to wait for; a handler whose storage
 * blocks would hand the work to {@code DeviceConfig.ioExecutor()} instead. Memory is as
 * durable as this disk gets, so there is no write cache and a flush has nothing to do.
 *
 * <p>Commands run under the read side of a lock and a resize under the write side: core has
 * checked each command against the capacity it saw, and a shrink must not let a command that
 * was checked against the old capacity write beyond the new end.
 */
final class RamDisk implements BlockBackend {

  static final int MIN_CHUNK = 4096;
  static final int MAX_CHUNK = 16 << 20;
  /** What a read of a chunk never written copies from. */
  private static final byte[] ZEROS = new byte[MIN_CHUNK];

  private final String name;
  private final int blockSize;
  private final int chunkSize;
  private final int chunkShift;
  private final ConcurrentHashMap<Long, byte[]> chunks = new ConcurrentHashMap<>();
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile long blockCount;

  RamDisk(String name, int blockSize, int chunkSize, long bytes) throws DeviceException {
    this.name = name;
    this.blockSize = blockSize;
    this.chunkSize = chunkSize;
    this.chunkShift = Integer.numberOfTrailingZeros(chunkSize);
    this.blockCount = blocks(bytes);
  }

  private long blocks(long bytes) throws DeviceException {
    long blocks = bytes / blockSize;
    if (blocks < 1) {
      throw new DeviceException(name + ": size " + bytes + " holds no " + blockSize
          + "-byte block");
    }
    return blocks;
  }

  @Override
  public int blockSize() {
    return blockSize;
  }

  @Override
  public long blockCount() {
    return blockCount;
  }

  @Override
  public boolean writeCacheEnabled() {
    return false;
  }

  @Override
  public boolean supportsUnmap() {
    return true;
  }

  @Override
  public void read(long offset, ByteBuffer dst, IoCompletion completion) {
    lock.readLock().lock();
    try {
      if (!within(offset, dst.remaining())) {
        completion.failed(new SenseException(Sense.LBA_OUT_OF_RANGE));
        return;
      }
      while (dst.hasRemaining()) {
        int at = (int) (offset & (chunkSize - 1));
        int n = Math.min(dst.remaining(), chunkSize - at);
        byte[] chunk = chunks.get(offset >>> chunkShift);
        if (chunk == null) {
          putZeros(dst, n);
        } else {
          dst.put(chunk, at, n);
        }
        offset += n;
      }
    } finally {
      lock.readLock().unlock();
    }
    completion.completed();
  }

  @Override
  public void write(long offset, ByteBuffer src, boolean forceUnitAccess,
      IoCompletion completion) {
    lock.readLock().lock();
    try {
      if (!within(offset, src.remaining())) {
        completion.failed(new SenseException(Sense.LBA_OUT_OF_RANGE));
        return;
      }
      while (src.hasRemaining()) {
        int at = (int) (offset & (chunkSize - 1));
        int n = Math.min(src.remaining(), chunkSize - at);
        long index = offset >>> chunkShift;
        byte[] chunk = chunks.get(index);
        if (chunk == null && zeros(src, n)) {
          src.position(src.position() + n); // an absent chunk already reads as zeros
        } else {
          if (chunk == null) {
            chunk = chunks.computeIfAbsent(index, i -> new byte[chunkSize]);
          }
          src.get(chunk, at, n);
        }
        offset += n;
      }
    } catch (OutOfMemoryError e) {
      // The disk is larger than the memory left: this write fails, the server goes on.
      completion.failed(new SenseException(Sense.WRITE_ERROR, name + ": out of memory", e));
      return;
    } finally {
      lock.readLock().unlock();
    }
    completion.completed();
  }

  private static void putZeros(ByteBuffer dst, int n) {
    while (n > 0) {
      int k = Math.min(n, ZEROS.length);
      dst.put(ZEROS, 0, k);
      n -= k;
    }
  }

  /** Whether the next {@code n} bytes of {@code src} are zeros; its position is kept. */
  private static boolean zeros(ByteBuffer src, int n) {
    for (int i = src.position(), end = i + n; i < end; i++) {
      if (src.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void flush(IoCompletion completion) {
    completion.completed();
  }

  /** Drops the chunks wholly inside the range and zeros the parts of the others. */
  @Override
  public void unmap(long offset, long length, IoCompletion completion) {
    lock.readLock().lock();
    try {
      if (!within(offset, length)) {
        completion.failed(new SenseException(Sense.LBA_OUT_OF_RANGE));
        return;
      }
      discard(offset, offset + length);
    } finally {
      lock.readLock().unlock();
    }
    completion.completed();
  }

  /** Makes bytes {@code from} to {@code to} (exclusive) read as zeros. */
  private void discard(long from, long to) {
    while (from < to) {
      long index = from >>> chunkShift;
      int at = (int) (from & (chunkSize - 1));
      int n = (int) Math.min(to - from, chunkSize - at);
      if (n == chunkSize) {
        chunks.remove(index);
      } else {
        byte[] chunk = chunks.get(index);
        if (chunk != null) {
          Arrays.fill(chunk, at, at + n, (byte) 0);
        }
      }
      from += n;
    }
  }

  /**
   * The writable attribute {@code size}: grows or shrinks the disk in place. Core raises
   * CAPACITY DATA HAS CHANGED for a new size, so initiators learn of it.
   */
  @Override
  public void set(String attribute, String value) throws DeviceException {
    if (!RamDiskHandler.SIZE.name().equals(attribute)) {
      BlockBackend.super.set(attribute, value);
      return;
    }
    long blocks = blocks(Long.parseLong(value));
    lock.writeLock().lock();
    try {
      long end = blockCount * blockSize;
      long newEnd = blocks * blockSize;
      if (newEnd < end) {
        // A later growth must read zeros there, not what the shrink cut off.
        long lastChunkEnd = ((end - 1) >>> chunkShift) + 1 << chunkShift;
        discard(newEnd, lastChunkEnd);
      }
      blockCount = blocks;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** The bytes the disk holds in memory: one chunk for each chunk written and not unmapped. */
  long allocatedBytes() {
    return (long) chunks.size() * chunkSize;
  }

  private boolean within(long offset, long length) {
    return offset >= 0 && length >= 0 && offset + length <= blockCount * blockSize;
  }

  /** Frees the memory; core calls it once no command runs on the disk any more. */
  @Override
  public void close() {
    chunks.clear();
  }
}
