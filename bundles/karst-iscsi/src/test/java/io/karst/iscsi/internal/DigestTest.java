package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CRC32C header and data digests (RFC 7143 11.2.3, 13.1, 7.8). */
class DigestTest {

  private final FakeCore core = new FakeCore(FakeCore.settings());
  private final Initiator initiator = new Initiator(core);

  private static int crc(byte[] b) {
    return Crc32c.of(Unpooled.wrappedBuffer(b), 0, b.length, 0);
  }

  /** RFC 3720 appendix B.4, whose CRCs are listed as the bytes sent. */
  @Test
  void theIscsiCrc32cExamples() {
    byte[] b = new byte[32];
    assertThat(crc(b)).isEqualTo(0x8a9136aa);
    ByteBuf wire = Unpooled.buffer().writeIntLE(crc(b));
    assertThat(wire.array()).startsWith(0xaa, 0x36, 0x91, 0x8a);
    Arrays.fill(b, (byte) 0xff);
    assertThat(crc(b)).isEqualTo(0x62a8ab43);
    for (int i = 0; i < 32; i++) {
      b[i] = (byte) i;
    }
    assertThat(crc(b)).isEqualTo(0x46dd794e);
    for (int i = 0; i < 32; i++) {
      b[i] = (byte) (31 - i);
    }
    assertThat(crc(b)).isEqualTo(0x113fdb5c);
    byte[] read10 = new byte[48];
    int[] set = {0, 0x01, 1, 0xc0, 16, 0x14, 22, 0x04, 27, 0x14, 31, 0x18, 32, 0x28, 40, 0x02};
    for (int i = 0; i < set.length; i += 2) {
      read10[set[i]] = (byte) set[i + 1];
    }
    assertThat(crc(read10)).as("an iSCSI READ (10) command PDU").isEqualTo(0xd9963a56);
    assertThat(Crc32c.of(Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 0}), 0, 3, 1))
        .as("padding is hashed as zeros").isEqualTo(crc(new byte[] {1, 2, 3, 0}));
  }

  @BeforeEach
  void loginWithDigests() {
    initiator.send(initiator.login(0x83), Initiator.text("InitiatorName=iqn.2026-11.test:initiator",
        "TargetName=iqn.2026-11.test:disk", "HeaderDigest=CRC32C,None", "DataDigest=CRC32C,None",
        "MaxRecvDataSegmentLength=8192", "ImmediateData=Yes", "InitialR2T=Yes",
        "FirstBurstLength=4096"));
    Pdu r = initiator.read();
    assertThat(r.u16(36)).isZero();
    assertThat(Initiator.keys(r)).as("the final login response itself has no digests")
        .containsEntry("HeaderDigest", "CRC32C").containsEntry("DataDigest", "CRC32C");
    initiator.headerDigest = true;
    initiator.dataDigest = true;
  }

  @Test
  void writesAndReadsCarryDigestsBothWays() {
    byte[] data = new byte[8 * 512];
    new java.util.Random(3).nextBytes(data);
    initiator.command(1, 0xA0, 8, data.length, Arrays.copyOf(data, 4096));
    Pdu response = initiator.read();
    assertThat(response.opcode()).isEqualTo(Opcode.SCSI_RESPONSE);
    assertThat(response.u8(3)).isZero();
    assertThat(core.written).singleElement().isEqualTo(data);
    // Initiator.read checks every digest the target sends.
    initiator.command(2, 0xC0, 3, 3 * 512, new byte[0]);
    Pdu in = initiator.read();
    assertThat(in.opcode()).isEqualTo(Opcode.DATA_IN);
    assertThat(TextKeys.bytes(in.data)).isEqualTo(FakeCore.patterned(3 * 512));
  }

  @Test
  void aTargetsDigestAttributesSayWhatItAccepts() {
    core.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:strict", true, true,
        Map.of("HeaderDigest", "CRC32C", "DataDigest", "None")));
    Initiator i = new Initiator(core);
    i.send(i.login(0x83), Initiator.text("InitiatorName=iqn.2026-11.test:i",
        "HeaderDigest=None", "DataDigest=CRC32C,None", "TargetName=iqn.2026-11.test:strict"));
    assertThat(Initiator.keys(i.read())).containsEntry("HeaderDigest", "Reject")
        .containsEntry("DataDigest", "None");
  }

  private ByteBuf nopOut(int itt, byte[] data) {
    ByteBuf b = Initiator.bhs(0x40, 0x80, itt);
    b.setInt(20, -1);
    b.setInt(24, initiator.cmdSN);
    return initiator.frame(b, data);
  }

  @Test
  void aDataDigestErrorIsRejectedAndTheConnectionGoesOn() {
    ByteBuf frame = nopOut(5, new byte[] {1, 2, 3});
    frame.setByte(frame.writerIndex() - 1, frame.getByte(frame.writerIndex() - 1) ^ 1);
    initiator.channel.writeInbound(frame);
    Pdu reject = initiator.read();
    assertThat(reject.opcode()).isEqualTo(Opcode.REJECT);
    assertThat(reject.u8(2)).as("reason: data digest error").isEqualTo(0x02);
    assertThat(reject.dataLength()).isEqualTo(48);
    assertThat(initiator.read()).as("the PDU was discarded").isNull();
    initiator.channel.writeInbound(nopOut(6, new byte[] {4}));
    assertThat(initiator.read().opcode()).isEqualTo(Opcode.NOP_IN);
  }

  @Test
  void aHeaderDigestErrorClosesTheConnection() {
    ByteBuf frame = nopOut(5, new byte[0]);
    frame.setByte(48, frame.getByte(48) ^ 1);
    initiator.channel.writeInbound(frame);
    assertThat(initiator.channel.isOpen()).isFalse();
  }

  private static void assertCrcError(Pdu response) {
    assertThat(response.opcode()).isEqualTo(Opcode.SCSI_RESPONSE);
    assertThat(response.u8(3)).as("CHECK CONDITION").isEqualTo(0x02);
    ByteBuf sense = response.data;
    assertThat(sense.getByte(2 + 2) & 0x0F).as("ABORTED COMMAND").isEqualTo(0x0B);
    assertThat((int) sense.getUnsignedByte(2 + 12)).isEqualTo(0x47);
    assertThat((int) sense.getUnsignedByte(2 + 13)).isEqualTo(0x05);
  }

  @Test
  void corruptImmediateDataFailsTheCommandWithoutWriting() {
    ByteBuf b = Initiator.bhs(0x01, 0xA0, 9);
    b.setInt(20, 4096);
    b.setInt(24, initiator.cmdSN++);
    b.setByte(32, 0x0A);
    b.setByte(36, 8);
    ByteBuf frame = initiator.frame(b, new byte[4096]);
    frame.setByte(100, 1);
    initiator.channel.writeInbound(frame);
    List<Pdu> out = initiator.drain();
    assertThat(out).extracting(Pdu::opcode).containsExactly(Opcode.REJECT, Opcode.SCSI_RESPONSE);
    assertThat(out.get(0).u8(2)).isEqualTo(0x02);
    assertCrcError(out.get(1));
    assertThat(core.written).isEmpty();
  }

  @Test
  void corruptDataOutFailsTheCommandOnceAllDataHasCome() {
    initiator.command(10, 0x80 | 0x20, 16, 16 * 512, new byte[0]);
    Pdu r2t = initiator.read();
    assertThat(r2t.opcode()).isEqualTo(Opcode.R2T);
    int ttt = r2t.u32(20);
    ByteBuf b = Initiator.bhs(0x05, 0, 10);
    b.setInt(20, ttt);
    b.setInt(36, 0);
    b.setInt(40, 0);
    ByteBuf frame = initiator.frame(b, new byte[4096]);
    frame.setByte(60, 1);
    initiator.channel.writeInbound(frame);
    Pdu reject = initiator.read();
    assertThat(reject.opcode()).isEqualTo(Opcode.REJECT);
    assertThat(reject.u8(2)).isEqualTo(0x02);
    assertThat(initiator.read()).as("the task waits for the rest of its data").isNull();
    initiator.dataOut(10, ttt, 1, 4096, new byte[4096], true);
    assertCrcError(initiator.read());
    assertThat(core.written).isEmpty();
    assertThat(Map.copyOf(initiator.connection.tasks)).isEmpty();
  }
}
