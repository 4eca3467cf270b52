package io.karst.vdisk.internal;

import java.nio.ByteBuffer;

/** Fills buffers with zeros a chunk at a time rather than a byte at a time. */
final class Zeros {

  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10).asReadOnlyBuffer();

  private Zeros() {}

  /** Zeros from the buffer's position to its limit, leaving the position at the limit. */
  static void fill(ByteBuffer dst) {
    while (dst.hasRemaining()) {
      ByteBuffer chunk = ZEROS.duplicate();
      chunk.limit(Math.min(chunk.capacity(), dst.remaining()));
      dst.put(chunk);
    }
  }
}
