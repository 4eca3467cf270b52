package io.karst.iscsi.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Frames the byte stream into {@link Pdu}s (RFC 7143 11.2): a BHS, TotalAHSLength words of
 * AHS, then the data segment padded to a multiple of four bytes.
 *
 * <p>A data segment longer than this side declared (MaxRecvDataSegmentLength) is still framed,
 * so the connection keeps its place in the stream and the handler can Reject the PDU; one
 * longer than {@link #HARD_LIMIT} means framing is lost, and the connection is closed.
 */
final class PduDecoder extends ByteToMessageDecoder {

  /** The largest data segment the 24-bit length field can carry. */
  static final int HARD_LIMIT = (1 << 24) - 1;

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
      throws TooLongFrameException {
    if (in.readableBytes() < Pdu.BHS_LENGTH) {
      return;
    }
    int start = in.readerIndex();
    int ahsLength = in.getUnsignedByte(start + 4) * 4;
    int dataLength = in.getUnsignedMedium(start + 5);
    if (dataLength > HARD_LIMIT) {
      throw new TooLongFrameException("data segment of " + dataLength + " bytes");
    }
    int padded = (dataLength + 3) & ~3;
    long total = (long) Pdu.BHS_LENGTH + ahsLength + padded;
    if (in.readableBytes() < total) {
      return;
    }
    ByteBuf bhs = in.readRetainedSlice(Pdu.BHS_LENGTH);
    ByteBuf ahs = ahsLength == 0 ? Unpooled.EMPTY_BUFFER : in.readRetainedSlice(ahsLength);
    ByteBuf data = dataLength == 0 ? Unpooled.EMPTY_BUFFER : in.readRetainedSlice(dataLength);
    in.skipBytes(padded - dataLength);
    out.add(new Pdu(bhs, ahs, data));
  }
}
