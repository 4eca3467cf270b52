package io.karst.iscsi.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;

/**
 * An iSCSI PDU (RFC 7143 11.2): the 48-byte Basic Header Segment, the Additional Header
 * Segments and the data segment, each a buffer of its own so that data moves without copies.
 *
 * <p>Accessors read and write the BHS in place at the offsets of RFC 7143 11; the fields that
 * every PDU shares (opcode, flags, LUN, tags, sequence numbers) have names here, the
 * opcode-specific ones are written by the handler that owns the opcode. The opcodes themselves
 * are in {@link Opcode}.
 *
 * <p>A PDU whose data segment was longer than this side accepts arrives {@linkplain
 * #truncated() truncated}: its BHS is intact (so it can be rejected, and its CmdSN counted)
 * but its data segment was discarded by the decoder. One whose data failed its digest comes
 * marked {@linkplain #dataDigestError() so}, for the same reasons.
 */
final class Pdu extends AbstractReferenceCounted {

  static final int BHS_LENGTH = 48;
  /** The tag that means "no task" or "no transfer" (RFC 7143 11.18, 11.19). */
  static final int RESERVED_TAG = 0xFFFFFFFF;
  /** Flags byte: the final bit (F), common to all PDUs that have one. */
  static final int FINAL = 0x80;
  /** Byte 0: the immediate delivery bit (I) of initiator PDUs. */
  static final int IMMEDIATE = 0x40;

  // BHS offsets shared by many opcodes (RFC 7143 11.2.1).
  static final int LUN = 8;
  static final int ITT = 16;
  static final int TTT = 20;
  /** CmdSN in requests, StatSN in responses. */
  static final int CMD_SN = 24;
  static final int STAT_SN = 24;
  /** ExpStatSN in requests, ExpCmdSN in responses. */
  static final int EXP_STAT_SN = 28;
  static final int EXP_CMD_SN = 28;
  static final int MAX_CMD_SN = 32;
  /** DataSN, R2TSN, ExpDataSN or (TMF) RefCmdSN, depending on the opcode. */
  static final int DATA_SN = 36;
  static final int BUFFER_OFFSET = 40;
  static final int RESIDUAL_COUNT = 44;

  final ByteBuf bhs;
  final ByteBuf ahs;
  final ByteBuf data;
  private final boolean truncated;
  private final boolean dataDigestError;

  Pdu(ByteBuf bhs, ByteBuf ahs, ByteBuf data) {
    this(bhs, ahs, data, false, false);
  }

  private Pdu(ByteBuf bhs, ByteBuf ahs, ByteBuf data, boolean truncated,
      boolean dataDigestError) {
    this.bhs = bhs;
    this.ahs = ahs;
    this.data = data;
    this.truncated = truncated;
    this.dataDigestError = dataDigestError;
  }

  /** A PDU whose data segment exceeded the receive limit: the BHS only. */
  static Pdu truncated(ByteBuf bhs) {
    return new Pdu(bhs, Unpooled.EMPTY_BUFFER, Unpooled.EMPTY_BUFFER, true, false);
  }

  /** A PDU whose header is sound but whose data segment failed its digest. */
  static Pdu dataDigestError(ByteBuf bhs, ByteBuf ahs, ByteBuf data) {
    return new Pdu(bhs, ahs, data, false, true);
  }

  /** A new target PDU with a zeroed BHS, the given opcode, the final bit set, and no data. */
  static Pdu create(ByteBufAllocator alloc, int opcode) {
    ByteBuf bhs = alloc.buffer(BHS_LENGTH, BHS_LENGTH).writeZero(BHS_LENGTH);
    bhs.setByte(0, opcode);
    bhs.setByte(1, FINAL);
    return new Pdu(bhs, Unpooled.EMPTY_BUFFER, Unpooled.EMPTY_BUFFER);
  }

  /** This PDU with {@code segment} as its data segment; the new PDU owns both. */
  Pdu withData(ByteBuf segment) {
    return new Pdu(bhs, ahs, segment);
  }

  int opcode() {
    return bhs.getByte(0) & 0x3F;
  }

  boolean immediate() {
    return (bhs.getByte(0) & IMMEDIATE) != 0;
  }

  int flags() {
    return bhs.getUnsignedByte(1);
  }

  boolean finalBit() {
    return (flags() & FINAL) != 0;
  }

  /** Whether the decoder dropped this PDU's over-long data segment. */
  boolean truncated() {
    return truncated;
  }

  /** Whether the data segment failed its digest: the header can be trusted, the data not. */
  boolean dataDigestError() {
    return dataDigestError;
  }

  int dataLength() {
    return data.readableBytes();
  }

  int u8(int at) {
    return bhs.getUnsignedByte(at);
  }

  int u16(int at) {
    return bhs.getUnsignedShort(at);
  }

  int u32(int at) {
    return bhs.getInt(at);
  }

  long u64(int at) {
    return bhs.getLong(at);
  }

  Pdu set8(int at, int value) {
    bhs.setByte(at, value);
    return this;
  }

  Pdu set16(int at, int value) {
    bhs.setShort(at, value);
    return this;
  }

  Pdu set32(int at, int value) {
    bhs.setInt(at, value);
    return this;
  }

  Pdu set64(int at, long value) {
    bhs.setLong(at, value);
    return this;
  }

  int itt() {
    return u32(ITT);
  }

  int ttt() {
    return u32(TTT);
  }

  int cmdSN() {
    return u32(CMD_SN);
  }

  @Override
  public Pdu retain() {
    super.retain();
    return this;
  }

  @Override
  public ReferenceCounted touch(Object hint) {
    bhs.touch(hint);
    data.touch(hint);
    return this;
  }

  @Override
  protected void deallocate() {
    bhs.release();
    ahs.release();
    data.release();
  }

  @Override
  public String toString() {
    return String.format("PDU opcode 0x%02x itt 0x%08x data %d%s", opcode(), itt(), dataLength(),
        truncated ? " (truncated)" : dataDigestError ? " (data digest error)" : "");
  }
}
