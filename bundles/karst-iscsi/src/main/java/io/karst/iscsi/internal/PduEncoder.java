package io.karst.iscsi.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Writes {@link Pdu}s: sets TotalAHSLength (targets send no AHS) and DataSegmentLength, then
 * passes on the BHS, its CRC32C header digest when negotiated, the data segment as it is (a
 * slice of a device buffer goes to the socket without a copy), the padding to four bytes and
 * the data digest over data and padding when negotiated. One encoder per connection, as the
 * digests are the connection's.
 */
final class PduEncoder extends MessageToMessageEncoder<Pdu> {

  private static final ByteBuf PADDING =
      Unpooled.unreleasableBuffer(Unpooled.directBuffer(4).writeZero(4).asReadOnly());

  private boolean headerDigest;
  private boolean dataDigest;

  /** Appends CRC32C header and data digests, as negotiated, from the next PDU on. */
  void digests(boolean header, boolean data) {
    headerDigest = header;
    dataDigest = data;
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, Pdu pdu, List<Object> out) {
    int length = pdu.data.readableBytes();
    pdu.bhs.setByte(4, 0);
    pdu.bhs.setMedium(5, length);
    out.add(pdu.bhs.retain());
    if (headerDigest) {
      out.add(ctx.alloc().buffer(Crc32c.LENGTH).writeIntLE(
          Crc32c.of(pdu.bhs, pdu.bhs.readerIndex(), Pdu.BHS_LENGTH, 0)));
    }
    if (length > 0) {
      out.add(pdu.data.retain());
      int pad = -length & 3;
      if (dataDigest) {
        out.add(ctx.alloc().buffer(pad + Crc32c.LENGTH).writeZero(pad).writeIntLE(
            Crc32c.of(pdu.data, pdu.data.readerIndex(), length, pad)));
      } else if (pad > 0) {
        out.add(PADDING.slice(0, pad));
      }
    }
  }
}
