package io.karst.iscsi.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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

  Initiator(FakeCore core) {
    this(core, List.of());
  }

  /** An initiator connected to a target that announces these portals. */
  Initiator(FakeCore core, List<InetSocketAddress> portals) {
    this.core = core;
    IscsiService service = new IscsiService(core, portals);
    channel = new EmbeddedChannel();
    connection = new IscsiConnection(service, channel);
    service.register(connection);
    channel.pipeline().addLast("decoder", new PduDecoder())
        .addLast("encoder", PduEncoder.INSTANCE).addLast("login", new LoginHandler(connection));
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

  /** Sends a PDU: a BHS with its data segment, padded. */
  void send(ByteBuf bhs, byte[] data) {
    bhs.setMedium(5, data.length);
    ByteBuf out = Unpooled.buffer().writeBytes(bhs).writeBytes(data).writeZero(-data.length & 3);
    bhs.release();
    channel.writeInbound(out);
  }

  ByteBuf login(int flags) {
    ByteBuf b = bhs(0x43, flags, 0x1000);
    b.setBytes(8, new byte[] {0x40, 0, 0, 0, 0, 1});
    b.setInt(24, cmdSN);
    return b;
  }

  /** Logs in to a normal session in one request, security stage straight to full feature. */
  Pdu loginNormal(String target) {
    send(login(0x83), text("InitiatorName=iqn.test:initiator", "TargetName=" + target,
        "SessionType=Normal", "AuthMethod=None", "MaxRecvDataSegmentLength=8192",
        "ImmediateData=Yes", "InitialR2T=No", "MaxBurstLength=16384",
        "FirstBurstLength=4096", "MaxOutstandingR2T=4"));
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
    int length = pending.getUnsignedMedium(pending.readerIndex() + 5);
    int total = 48 + ((length + 3) & ~3);
    ByteBuf bhs = pending.readRetainedSlice(48);
    ByteBuf data = pending.readRetainedSlice(length);
    pending.skipBytes(total - 48 - length);
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
