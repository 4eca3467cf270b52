package io.karst.iscsi.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * Frames the byte stream into {@link Pdu}s (RFC 7143 11.2): a 48-byte BHS, TotalAHSLength
 * words of AHS, the header digest when negotiated, then the data segment padded to a multiple
 * of four bytes and, when negotiated and the segment is not empty, the data digest.
 *
 * <p>The data segment may be no longer than this side's MaxRecvDataSegmentLength ({@link
 * #maxDataSegmentLength}: 8192 during login, RFC 7143 13.12, then what the target declared).
 * A longer one does not lose the framing, since its length is in the header: the decoder
 * passes the BHS on as a {@linkplain Pdu#truncated() truncated} PDU, for the handlers to
 * Reject, and skips the segment as it arrives, without buffering it. Only the 24-bit length
 * field itself bounds what is skipped.
 *
 * <p>Digests ({@link Crc32c}) apply from the first full feature PDU on ({@link #digests}).
 * A header that fails its digest closes the connection: its length fields cannot be trusted,
 * so the next PDU cannot be found without markers, and at ErrorRecoveryLevel 0 the
 * connection's end is the recovery (RFC 7143 7.8). A data segment that fails its digest is
 * passed on {@linkplain Pdu#dataDigestError() marked}, for the handlers to Reject it (7.8).
 */
final class PduDecoder extends ByteToMessageDecoder {

  private static final System.Logger LOG = System.getLogger(PduDecoder.class.getName());

  /** MaxRecvDataSegmentLength during login (RFC 7143 13.12). */
  static final int LOGIN_DATA_SEGMENT_LENGTH = 8192;

  private int maxDataSegmentLength = LOGIN_DATA_SEGMENT_LENGTH;
  private int headerDigest;
  private int dataDigest;
  /** Bytes of a truncated PDU still to skip. */
  private long discarding;
  private boolean broken;

  /** Sets the longest data segment accepted from now on (the target's declaration). */
  void maxDataSegmentLength(int length) {
    maxDataSegmentLength = length;
  }

  /** Expects CRC32C header and data digests, as negotiated, from the next PDU on. */
  void digests(boolean header, boolean data) {
    headerDigest = header ? Crc32c.LENGTH : 0;
    dataDigest = data ? Crc32c.LENGTH : 0;
  }

  /** The bytes after the header and its digest: the padded data segment and its digest. */
  private long dataFrameLength(int dataLength) {
    return dataLength == 0 ? 0 : ((dataLength + 3L) & ~3L) + dataDigest;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (broken) {
      in.skipBytes(in.readableBytes());
      return;
    }
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
    int headerLength = Pdu.BHS_LENGTH + ahsLength;
    if (in.readableBytes() < headerLength + headerDigest) {
      return;
    }
    if (headerDigest > 0
        && Crc32c.of(in, start, headerLength, 0) != in.getIntLE(start + headerLength)) {
      LOG.log(Level.WARNING, "header digest error from " + ctx.channel().remoteAddress()
          + "; closing the connection, as the next PDU cannot be found (RFC 7143 7.8)");
      broken = true;
      in.skipBytes(in.readableBytes());
      ctx.close();
      return;
    }
    if (dataLength > maxDataSegmentLength) {
      out.add(Pdu.truncated(in.readRetainedSlice(Pdu.BHS_LENGTH)));
      discarding = ahsLength + headerDigest + dataFrameLength(dataLength);
      return;
    }
    if (in.readableBytes() < headerLength + headerDigest + dataFrameLength(dataLength)) {
      return;
    }
    ByteBuf bhs = in.readRetainedSlice(Pdu.BHS_LENGTH);
    ByteBuf ahs = ahsLength == 0 ? Unpooled.EMPTY_BUFFER : in.readRetainedSlice(ahsLength);
    in.skipBytes(headerDigest);
    if (dataLength == 0) {
      out.add(new Pdu(bhs, ahs, Unpooled.EMPTY_BUFFER));
      return;
    }
    int padded = (dataLength + 3) & ~3;
    int at = in.readerIndex();
    // The digest covers the padding as sent.
    boolean sound = dataDigest == 0
        || Crc32c.of(in, at, padded, 0) == in.getIntLE(at + padded);
    ByteBuf data = in.readRetainedSlice(dataLength);
    in.skipBytes(padded - dataLength + dataDigest);
    out.add(sound ? new Pdu(bhs, ahs, data) : Pdu.dataDigestError(bhs, ahs, data));
  }
}
