package io.karst.vdisk.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.device.IoCompletion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * A {@code vdisk_fileio} device: positional reads and writes on a {@link FileChannel}, run on
 * the device's I/O threads because they block.
 */
final class FileBackend implements BlockBackend {

  /** One blocking operation; any exception becomes the completion's failure. */
  private interface Operation {
    void run() throws IOException;
  }

  private final FileChannel channel;
  private final Geometry geometry;
  private final long blockCount;
  private final Executor io;
  private final boolean nvCache;
  private final boolean writeCache;
  private final boolean rotational;

  FileBackend(FileChannel channel, Geometry geometry, long blockCount, Executor io,
      boolean nvCache, boolean writeCache, boolean rotational) {
    this.channel = channel;
    this.geometry = geometry;
    this.blockCount = blockCount;
    this.io = io;
    this.nvCache = nvCache;
    this.writeCache = writeCache;
    this.rotational = rotational;
  }

  @Override
  public int blockSize() {
    return geometry.blockSize();
  }

  @Override
  public long blockCount() {
    return blockCount;
  }

  @Override
  public boolean readOnly() {
    return geometry.readOnly();
  }

  @Override
  public boolean writeCacheEnabled() {
    return writeCache;
  }

  @Override
  public boolean rotational() {
    return rotational;
  }

  @Override
  public void read(long offset, ByteBuffer dst, IoCompletion completion) {
    submit(completion, () -> {
      long at = offset;
      while (dst.hasRemaining()) {
        int n = channel.read(dst, at);
        if (n < 0) {
          // Past the end of a file shorter than the device: never written, so zeros.
          Zeros.fill(dst);
          break;
        }
        at += n;
      }
    });
  }

  @Override
  public void write(long offset, ByteBuffer src, boolean forceUnitAccess,
      IoCompletion completion) {
    submit(completion, () -> {
      long at = offset;
      while (src.hasRemaining()) {
        at += channel.write(src, at);
      }
      if (forceUnitAccess && writeCache && !nvCache) {
        channel.force(false);
      }
    });
  }

  @Override
  public void flush(IoCompletion completion) {
    if (nvCache || !writeCache) {
      completion.completed();
      return;
    }
    submit(completion, () -> channel.force(false));
  }

  private void submit(IoCompletion completion, Operation operation) {
    try {
      io.execute(() -> {
        try {
          operation.run();
        } catch (IOException | RuntimeException e) {
          completion.failed(e);
          return;
        }
        completion.completed();
      });
    } catch (RejectedExecutionException e) {
      completion.failed(e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // Nothing is pending (core closes after the last command) and nothing can be retried.
    }
  }
}
