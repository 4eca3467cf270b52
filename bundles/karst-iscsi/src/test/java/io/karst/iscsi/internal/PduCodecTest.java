package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class PduCodecTest {

  @Test
  void encodesWithLengthAndPadding() {
    EmbeddedChannel ch = new EmbeddedChannel(new PduEncoder());
    Pdu pdu = Pdu.create(ByteBufAllocator.DEFAULT, Opcode.NOP_IN).set32(16, 9)
        .withData(Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4, 5}));
    ch.writeOutbound(pdu);
    ByteBuf out = Unpooled.buffer();
    Object o;
    while ((o = ch.readOutbound()) != null) {
      out.writeBytes((ByteBuf) o);
      ((ByteBuf) o).release();
    }
    assertThat(out.readableBytes()).isEqualTo(48 + 8);
    assertThat(out.getUnsignedMedium(5)).isEqualTo(5);
    assertThat(out.getByte(0)).isEqualTo((byte) 0x20);
    assertThat(out.getByte(48 + 4)).isEqualTo((byte) 5);
    assertThat(out.getByte(48 + 5)).isZero();
  }

  @Test
  void decodesFramesSplitAnywhere() {
    ByteBuf wire = Unpooled.buffer();
    for (int n : new int[] {0, 3, 8}) {
      ByteBuf bhs = Initiator.bhs(0x00, 0x80, n);
      bhs.setMedium(5, n);
      bhs.setByte(4, n == 8 ? 1 : 0);
      wire.writeBytes(bhs);
      if (n == 8) {
        wire.writeInt(0xAABBCCDD);
      }
      wire.writeZero(n).writeZero(-n & 3);
    }
    EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder());
    while (wire.isReadable()) {
      ch.writeInbound(wire.readRetainedSlice(Math.min(7, wire.readableBytes())));
    }
    Pdu a = ch.readInbound();
    Pdu b = ch.readInbound();
    Pdu c = ch.readInbound();
    assertThat(a.dataLength()).isZero();
    assertThat(b.dataLength()).isEqualTo(3);
    assertThat(b.itt()).isEqualTo(3);
    assertThat(c.ahs.readableBytes()).isEqualTo(4);
    assertThat(c.dataLength()).isEqualTo(8);
    assertThat((Object) ch.readInbound()).isNull();
    a.release();
    b.release();
    c.release();
  }

  @Test
  void aSegmentLongerThanDeclaredIsSkippedAndTheBhsPassedOnTruncated() {
    EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder());
    ByteBuf wire = Unpooled.buffer();
    ByteBuf big = Initiator.bhs(0x00, 0x80, 1);
    big.setMedium(5, PduDecoder.LOGIN_DATA_SEGMENT_LENGTH + 1);
    wire.writeBytes(big).writeZero(PduDecoder.LOGIN_DATA_SEGMENT_LENGTH + 4);
    big.release();
    ByteBuf next = Initiator.bhs(0x00, 0x80, 2);
    next.setMedium(5, 2);
    wire.writeBytes(next).writeZero(4);
    next.release();
    while (wire.isReadable()) {
      ch.writeInbound(wire.readRetainedSlice(Math.min(1000, wire.readableBytes())));
    }
    wire.release();
    Pdu a = ch.readInbound();
    Pdu b = ch.readInbound();
    assertThat(a.truncated()).isTrue();
    assertThat(a.itt()).isEqualTo(1);
    assertThat(a.dataLength()).isZero();
    assertThat(b.truncated()).isFalse();
    assertThat(b.itt()).isEqualTo(2);
    assertThat(b.dataLength()).isEqualTo(2);
    a.release();
    b.release();
  }

  @Test
  void theLimitFollowsTheDeclaration() {
    PduDecoder decoder = new PduDecoder();
    decoder.maxDataSegmentLength(65536);
    EmbeddedChannel ch = new EmbeddedChannel(decoder);
    ByteBuf bhs = Initiator.bhs(0x05, 0x80, 3);
    bhs.setMedium(5, 65536);
    ch.writeInbound(Unpooled.buffer().writeBytes(bhs).writeZero(65536));
    bhs.release();
    Pdu p = ch.readInbound();
    assertThat(p.truncated()).isFalse();
    assertThat(p.dataLength()).isEqualTo(65536);
    p.release();
  }
}
