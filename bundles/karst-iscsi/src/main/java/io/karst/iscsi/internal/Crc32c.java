package io.karst.iscsi.internal;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * iSCSI's digest (RFC 7143 11.2.3, 13.1): CRC32C, the Castagnoli polynomial as {@link
 * CRC32C} computes it, over the BHS and AHS for the header digest and over the data segment
 * and its padding for the data digest. On the wire the digest is little-endian: RFC 3720
 * appendix B.4 lists 32 zero bytes' CRC, 0x8a9136aa, as the bytes aa 36 91 8a.
 */
final class Crc32c {

  /** A digest's length on the wire. */
  static final int LENGTH = 4;
  private static final byte[] ZEROS = new byte[3];

  private Crc32c() {}

  /** The CRC32C of {@code length} bytes at {@code index}, then {@code padding} zero bytes. */
  static int of(ByteBuf buffer, int index, int length, int padding) {
    CRC32C crc = new CRC32C();
    for (ByteBuffer b : buffer.nioBuffers(index, length)) {
      crc.update(b);
    }
    crc.update(ZEROS, 0, padding);
    return (int) crc.getValue();
  }
}
