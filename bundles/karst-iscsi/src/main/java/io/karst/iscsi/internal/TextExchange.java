package io.karst.iscsi.internal;

import io.karst.api.target.Target;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Text requests in the full feature phase (RFC 7143 11.10, 11.11), SendTargets above all
 * (Appendix C): the targets this initiator may log in to, each with its portals. An answer
 * longer than the initiator's MaxRecvDataSegmentLength goes out in pieces, each Text Response
 * with the C bit and a target transfer tag the initiator sends back for the next.
 */
final class TextExchange {

  private final IscsiService service;
  private final IscsiSession session;
  private final ByteBuf request = Unpooled.buffer();
  private ByteBuf answer;
  private int answerTag = Pdu.RESERVED_TAG;

  TextExchange(IscsiService service, IscsiSession session) {
    this.service = service;
    this.session = session;
  }

  void request(FullFeatureHandler connection, Pdu pdu) {
    int ttt = pdu.u32(20);
    if (answer != null && ttt == answerTag && pdu.dataLength() == 0) {
      sendPiece(connection, pdu);
      return;
    }
    reset();
    request.writeBytes(pdu.data, pdu.data.readerIndex(), pdu.dataLength());
    if ((pdu.flags() & 0x40) != 0) {
      // The initiator continues its request: acknowledge, with no keys, and wait for more.
      Pdu ack = Pdu.create(connection.alloc(), Opcode.TEXT_RESPONSE);
      ack.set8(1, 0).set32(16, pdu.itt()).set32(20, connection.nextTransferTag());
      connection.respond(ack);
      return;
    }
    Map<String, String> keys;
    try {
      keys = TextKeys.parse(TextKeys.bytes(request));
    } catch (IllegalArgumentException e) {
      request.clear();
      connection.reject(pdu, Opcode.REJECT_PROTOCOL_ERROR);
      return;
    }
    request.clear();
    StringBuilder out = new StringBuilder();
    InetSocketAddress local = service.localAddress(connection);
    for (var e : keys.entrySet()) {
      if (e.getKey().equals("SendTargets")) {
        sendTargets(e.getValue(), local, out);
      } else {
        out.append(e.getKey()).append("=NotUnderstood\0");
      }
    }
    answer = Unpooled.wrappedBuffer(out.toString().getBytes(StandardCharsets.UTF_8));
    answerTag = connection.nextTransferTag();
    sendPiece(connection, pdu);
  }

  private void sendPiece(FullFeatureHandler connection, Pdu pdu) {
    int n = Math.min(answer.readableBytes(), session.params.peerMaxRecvDataSegmentLength);
    boolean last = n == answer.readableBytes();
    Pdu response = Pdu.create(connection.alloc(), Opcode.TEXT_RESPONSE);
    response.set8(1, last ? 0x80 : 0x40).set32(16, pdu.itt())
        .set32(20, last ? Pdu.RESERVED_TAG : answerTag);
    ByteBuf piece = answer.readRetainedSlice(n);
    if (last) {
      reset();
    }
    connection.respond(n == 0 ? response : response.withData(piece));
    if (n == 0) {
      piece.release();
    }
  }

  /**
   * SendTargets=All lists every enabled target this initiator may reach (discovery sessions
   * only); SendTargets=name one of them; an empty value, in a normal session, its own target.
   */
  private void sendTargets(String value, InetSocketAddress local, StringBuilder out) {
    String initiator = session.params.initiatorName;
    boolean all = value.equals("All") && session.discovery();
    String wanted = value.isEmpty() ? session.targetName : value;
    for (Target t : service.context().targets()) {
      if ((all || t.name().equals(wanted)) && t.admits(initiator)) {
        out.append("TargetName=").append(t.name()).append('\0');
        String tpgt = t.attributes().getOrDefault("tpgt", "1");
        for (String portal : service.portalAddresses(local)) {
          out.append("TargetAddress=").append(portal).append(',').append(tpgt).append('\0');
        }
      }
    }
  }

  private void reset() {
    if (answer != null) {
      answer.release();
      answer = null;
    }
    answerTag = Pdu.RESERVED_TAG;
  }

  void release() {
    reset();
    request.release();
  }
}
