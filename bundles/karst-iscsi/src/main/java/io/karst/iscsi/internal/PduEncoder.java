package io.karst.iscsi.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Writes {@link Pdu}s: sets TotalAHSLength (targets send no AHS) and DataSegmentLength, then
 * passes on the BHS, the data segment as it is (a slice of a device buffer goes to the socket
 * without a copy), and the padding to four bytes. Digests, when they come, are appended here.
 */
@Sharable
final class PduEncoder extends MessageToMessageEncoder<Pdu> {

  static final PduEncoder INSTANCE = new PduEncoder();

  private static final ByteBuf PADDING =
      Unpooled.unreleasableBuffer(Unpooled.directBuffer(4).writeZero(4).asReadOnly());

  @Override
  protected void encode(ChannelHandlerContext ctx, Pdu pdu, List<Object> out) {
    int length = pdu.data.readableBytes();
    pdu.bhs.setByte(4, 0);
    pdu.bhs.setMedium(5, length);
    out.add(pdu.bhs.retain());
    if (length > 0) {
      out.add(pdu.data.retain());
      int pad = -length & 3;
      if (pad > 0) {
        out.add(PADDING.slice(0, pad));
      }
    }
  }
}
