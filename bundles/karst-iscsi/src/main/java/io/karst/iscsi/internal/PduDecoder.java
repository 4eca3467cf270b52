package io.karst.iscsi.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Frames the byte stream into {@link Pdu}s (RFC 7143 11.2): a 48-byte BHS, TotalAHSLength
 * words of AHS, then the data segment padded to a multiple of four bytes.
 *
 * <p>The data segment may be no longer than this side's MaxRecvDataSegmentLength ({@link
 * #maxDataSegmentLength}: 8192 during login, RFC 7143 13.12, then what the target declared).
 * A longer one does not lose the framing, since its length is in the header: the decoder
 * passes the BHS on as a {@linkplain Pdu#truncated() truncated} PDU, for the handlers to
 * Reject, and skips the segment as it arrives, without buffering it. Only the 24-bit length
 * field itself bounds what is skipped.
 *
 * <p>Header and data digests (RFC 7143 11.2.3) will sit after the AHS and after the padded
 * data; {@link #frameLength} is the one place the frame arithmetic lives.
 */
final class PduDecoder extends ByteToMessageDecoder {

  /** MaxRecvDataSegmentLength during login (RFC 7143 13.12). */
  static final int LOGIN_DATA_SEGMENT_LENGTH = 8192;

  private int maxDataSegmentLength = LOGIN_DATA_SEGMENT_LENGTH;
  /** Bytes of a truncated PDU still to skip. */
  private long discarding;

  /** Sets the longest data segment accepted from now on (the target's declaration). */
  void maxDataSegmentLength(int length) {
    maxDataSegmentLength = length;
  }

  /** The bytes after the BHS: AHS, then the data segment padded to four bytes. */
  private static long frameLength(int ahsLength, int dataLength) {
    return ahsLength + ((dataLength + 3L) & ~3L);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (discarding > 0) {
      int n = (int) Math.min(discarding, in.readableBytes());
      in.skipBytes(n);
      discarding -= n;
      if (discarding > 0) {
        return;
      }
    }
    if (in.readableBytes() < Pdu.BHS_LENGTH) {
      return;
    }
    int start = in.readerIndex();
    int ahsLength = in.getUnsignedByte(start + 4) * 4;
    int dataLength = in.getUnsignedMedium(start + 5);
    if (dataLength > maxDataSegmentLength) {
      out.add(Pdu.truncated(in.readRetainedSlice(Pdu.BHS_LENGTH)));
      discarding = frameLength(ahsLength, dataLength);
      return;
    }
    if (in.readableBytes() < Pdu.BHS_LENGTH + frameLength(ahsLength, dataLength)) {
      return;
    }
    ByteBuf bhs = in.readRetainedSlice(Pdu.BHS_LENGTH);
    ByteBuf ahs = ahsLength == 0 ? Unpooled.EMPTY_BUFFER : in.readRetainedSlice(ahsLength);
    ByteBuf data = dataLength == 0 ? Unpooled.EMPTY_BUFFER : in.readRetainedSlice(dataLength);
    in.skipBytes(-dataLength & 3);
    out.add(new Pdu(bhs, ahs, data));
  }
}
