package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A scripted initiator on an {@link EmbeddedChannel} that runs the driver's real pipeline:
 * builds request PDUs as bytes, and decodes what the target writes back.
 */
final class Initiator {

  final FakeCore core;
  final EmbeddedChannel channel;
  final IscsiConnection connection;
  int cmdSN = 1;
  /** The ISID of the logins: a random-qualifier type, as libiscsi sends. */
  byte[] isid = {0x40, 0, 0, 0, 0, 1};

  Initiator(FakeCore core) {
    this(core, List.of());
  }

  /** An initiator connected to a target that announces these portals. */
  Initiator(FakeCore core, List<InetSocketAddress> portals) {
    this(core, new IscsiService(core, portals));
  }

  /** Another connection to the same driver, as from a second socket. */
  Initiator(FakeCore core, IscsiService service) {
    this.core = core;
    channel = new EmbeddedChannel();
    connection = new IscsiConnection(service, channel);
    service.register(connection);
    IscsiTargetDriver.pipeline(connection);
  }

  static ByteBuf bhs(int opcode, int flags, int itt) {
    ByteBuf b = Unpooled.buffer(48).writeZero(48);
    b.setByte(0, opcode);
    b.setByte(1, flags);
    b.setInt(16, itt);
    return b;
  }

  static byte[] text(String... pairs) {
    StringBuilder s = new StringBuilder();
    for (String p : pairs) {
      s.append(p).append('\0');
    }
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Whether PDUs carry CRC32C header and data digests, both ways (after login). */
  boolean headerDigest;
  boolean dataDigest;

  /** Sends a PDU: a BHS with its data segment, padded, with the digests in use. */
  void send(ByteBuf bhs, byte[] data) {
    channel.writeInbound(frame(bhs, data));
  }

  /** A PDU's bytes as they go on the wire. */
  ByteBuf frame(ByteBuf bhs, byte[] data) {
    bhs.setMedium(5, data.length);
    ByteBuf out = Unpooled.buffer().writeBytes(bhs);
    bhs.release();
    if (headerDigest) {
      out.writeIntLE(Crc32c.of(out, 0, 48, 0));
    }
    int start = out.writerIndex();
    out.writeBytes(data).writeZero(-data.length & 3);
    if (dataDigest && data.length > 0) {
      out.writeIntLE(Crc32c.of(out, start, out.writerIndex() - start, 0));
    }
    return out;
  }

  ByteBuf login(int flags) {
    ByteBuf b = bhs(0x43, flags, 0x1000);
    b.setBytes(8, isid);
    b.setInt(24, cmdSN);
    return b;
  }

  /**
   * Another initiator port on the same driver, as from a second socket: its ISID has this
   * qualifier.
   */
  Initiator port(int isidQualifier) {
    Initiator i = new Initiator(core, connection.service);
    i.isid = new byte[] {0x40, 0, 0, 0, 0, (byte) isidQualifier};
    return i;
  }

  /** Logs in to a normal session in one request, security stage straight to full feature. */
  Pdu loginNormal(String target) {
    return loginNormal(login(0x83), target);
  }

  /**
   * Logs in to a normal session with this request header (a TSIH, a CID set in it), the usual
   * keys, then {@code more}.
   */
  Pdu loginNormal(ByteBuf request, String target, String... more) {
    List<String> keys = new ArrayList<>(List.of("InitiatorName=iqn.2026-11.test:initiator",
        "TargetName=" + target, "SessionType=Normal", "AuthMethod=None",
        "MaxRecvDataSegmentLength=8192", "ImmediateData=Yes", "InitialR2T=No",
        "MaxBurstLength=16384", "FirstBurstLength=4096", "MaxOutstandingR2T=4"));
    keys.addAll(List.of(more));
    send(request, text(keys.toArray(String[]::new)));
    return read();
  }

  /** All the PDUs the target wrote so far. */
  List<Pdu> drain() {
    List<Pdu> out = new java.util.ArrayList<>();
    Pdu p;
    while ((p = read()) != null) {
      out.add(p);
    }
    return out;
  }

  /** The next PDU the target wrote, or null. */
  Pdu read() {
    Object o;
    ByteBuf all = Unpooled.buffer();
    while ((o = channel.readOutbound()) != null) {
      ByteBuf b = (ByteBuf) o;
      all.writeBytes(b);
      b.release();
    }
    pending.writeBytes(all);
    all.release();
    if (pending.readableBytes() < 48) {
      return null;
    }
    int at = pending.readerIndex();
    int length = pending.getUnsignedMedium(at + 5);
    int hd = headerDigest ? 4 : 0;
    int padded = (length + 3) & ~3;
    int dd = dataDigest && length > 0 ? 4 : 0;
    if (headerDigest) {
      assertThat(pending.getIntLE(at + 48)).as("header digest")
          .isEqualTo(Crc32c.of(pending, at, 48, 0));
    }
    if (dd > 0) {
      assertThat(pending.getIntLE(at + 48 + hd + padded)).as("data digest")
          .isEqualTo(Crc32c.of(pending, at + 48 + hd, padded, 0));
    }
    ByteBuf bhs = pending.readRetainedSlice(48);
    pending.skipBytes(hd);
    ByteBuf data = pending.readRetainedSlice(length);
    pending.skipBytes(padded - length + dd);
    return new Pdu(bhs, Unpooled.EMPTY_BUFFER, data);
  }

  private final ByteBuf pending = Unpooled.buffer();

  static Map<String, String> keys(Pdu pdu) {
    return TextKeys.parse(TextKeys.bytes(pdu.data));
  }

  /** A SCSI command with a toy 6-byte CDB whose byte 4 is the block count. */
  void command(int itt, int flags, int blocks, int expected, byte[] immediate) {
    ByteBuf b = bhs(0x01, flags, itt);
    b.setInt(20, expected);
    b.setInt(24, cmdSN++);
    b.setByte(32, (flags & 0x20) != 0 ? 0x0A : 0x08);
    b.setByte(36, blocks);
    send(b, immediate);
  }

  void dataOut(int itt, int ttt, int dataSN, int offset, byte[] data, boolean last) {
    ByteBuf b = bhs(0x05, last ? 0x80 : 0, itt);
    b.setInt(20, ttt);
    b.setInt(36, dataSN);
    b.setInt(40, offset);
    send(b, data);
  }
}
