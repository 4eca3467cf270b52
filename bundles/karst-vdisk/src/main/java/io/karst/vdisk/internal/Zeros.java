package io.karst.vdisk.internal;

import java.nio.ByteBuffer;

/**
 * One shared block of zeros, so that filling a buffer, comparing against zeros and writing zeros
 * go a chunk at a time (vectorised copies and compares) rather than a byte at a time, and
 * without allocating per operation.
 */
final class Zeros {

  /** The largest run of zeros {@link #chunk} hands out. */
  static final int CHUNK = 64 << 10;

  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(CHUNK).asReadOnlyBuffer();

  private Zeros() {}

  /** A read-only buffer of {@code length} zeros, at most {@link #CHUNK}, with its own position. */
  static ByteBuffer chunk(int length) {
    return ZEROS.duplicate().limit(length);
  }

  /** Zeros from the buffer's position to its limit, leaving the position at the limit. */
  static void fill(ByteBuffer dst) {
    while (dst.hasRemaining()) {
      dst.put(chunk(Math.min(CHUNK, dst.remaining())));
    }
  }

  /** Whether {@code buffer}, from its position to its limit ({@link #CHUNK} at most), is zero. */
  static boolean isZero(ByteBuffer buffer) {
    return chunk(buffer.remaining()).mismatch(buffer) < 0;
  }
}
