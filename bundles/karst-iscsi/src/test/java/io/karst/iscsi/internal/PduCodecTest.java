package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.assertj.core.api.Assertions;
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
  void aSegmentTooLongForTheFieldLosesFramingAndFails() {
    EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder());
    ByteBuf bhs = Initiator.bhs(0, 0, 0);
    bhs.setMedium(5, 0xFFFFFF);
    Assertions.assertThatCode(() -> ch.writeInbound(bhs)).doesNotThrowAnyException();
    assertThat(PduDecoder.HARD_LIMIT).isEqualTo(0xFFFFFF);
    assertThat((Object) ch.readInbound()).isNull();
    assertThat(DecoderException.class).isNotNull();
  }
}
