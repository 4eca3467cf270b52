package io.karst.iscsi.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;

/**
 * An iSCSI PDU (RFC 7143 11.2): the 48-byte Basic Header Segment, the Additional Header
 * Segments and the data segment, each a buffer of its own so that data moves without copies.
 * Field accessors read the BHS in place; the opcode-specific classes of the RFC are the
 * offsets named in {@link Opcode}'s users.
 */
final class Pdu extends AbstractReferenceCounted {

  static final int BHS_LENGTH = 48;
  /** The tag that means "no task" (RFC 7143 11.18, 11.19). */
  static final int RESERVED_TAG = 0xFFFFFFFF;

  final ByteBuf bhs;
  final ByteBuf ahs;
  final ByteBuf data;

  Pdu(ByteBuf bhs, ByteBuf ahs, ByteBuf data) {
    this.bhs = bhs;
    this.ahs = ahs;
    this.data = data;
  }

  /** A new target PDU with a zeroed BHS, the given opcode and final bit, and no data. */
  static Pdu create(ByteBufAllocator alloc, int opcode) {
    ByteBuf bhs = alloc.buffer(BHS_LENGTH, BHS_LENGTH).writeZero(BHS_LENGTH);
    bhs.setByte(0, opcode);
    bhs.setByte(1, 0x80);
    return new Pdu(bhs, Unpooled.EMPTY_BUFFER, Unpooled.EMPTY_BUFFER);
  }

  /** This PDU with {@code data} as its data segment; the PDU takes ownership of it. */
  Pdu withData(ByteBuf segment) {
    return new Pdu(bhs, ahs, segment);
  }

  int opcode() {
    return bhs.getByte(0) & 0x3F;
  }

  boolean immediate() {
    return (bhs.getByte(0) & 0x40) != 0;
  }

  int flags() {
    return bhs.getUnsignedByte(1);
  }

  boolean finalBit() {
    return (flags() & 0x80) != 0;
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
    return u32(16);
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
    return String.format("PDU opcode 0x%02x itt 0x%08x data %d", opcode(), itt(), dataLength());
  }
}
