package io.karst.iscsi.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Text Requests in the full feature phase (RFC 7143 11.10, 11.11): SendTargets (see {@link
 * Discovery}); any other key is NotUnderstood, as nothing is renegotiable yet.
 *
 * <p>Both directions may continue. A request with the C bit is gathered, each part
 * acknowledged by an empty Text Response with a target transfer tag. An answer longer than
 * the initiator's MaxRecvDataSegmentLength goes out in parts, each with the C bit and a
 * target transfer tag that the initiator returns in an empty request to get the next; the
 * last part has the F bit and TTT 0xffffffff. A request with a fresh TTT (0xffffffff)
 * abandons whatever exchange was under way.
 */
final class TextHandler extends RequestHandler {

  private static final int CONTINUE = 0x40;
  /** The most request text gathered over continued requests. */
  private static final int MAX_TEXT = 65536;

  private final IscsiConnection connection;
  private final ByteBuf request = Unpooled.buffer();
  private ByteBuf answer;
  private int tag = Pdu.RESERVED_TAG;

  TextHandler(IscsiConnection connection) {
    super(Opcode.TEXT_REQUEST);
    this.connection = connection;
  }

  @Override
  void handle(Pdu pdu) {
    boolean continuing = tag != Pdu.RESERVED_TAG && pdu.ttt() == tag;
    if (continuing && answer != null) {
      sendPart(pdu);
      return;
    }
    if (!continuing) {
      reset();
    }
    request.writeBytes(pdu.data, pdu.data.readerIndex(), pdu.dataLength());
    if (request.readableBytes() > MAX_TEXT) {
      reset();
      connection.reject(pdu, Opcode.REJECT_PROTOCOL_ERROR);
      return;
    }
    if ((pdu.flags() & CONTINUE) != 0) {
      tag = connection.nextTransferTag();
      Pdu ack = Pdu.create(connection.alloc(), Opcode.TEXT_RESPONSE);
      ack.set8(1, 0).set32(Pdu.ITT, pdu.itt()).set32(Pdu.TTT, tag);
      connection.respond(ack);
      return;
    }
    Map<String, String> keys;
    try {
      keys = TextKeys.parse(TextKeys.bytes(request));
    } catch (IllegalArgumentException e) {
      reset();
      connection.reject(pdu, Opcode.REJECT_PROTOCOL_ERROR);
      return;
    }
    request.clear();
    StringBuilder out = new StringBuilder();
    for (var e : keys.entrySet()) {
      if (e.getKey().equals("SendTargets")) {
        Discovery.sendTargets(connection, e.getValue(), out);
      } else {
        out.append(e.getKey()).append("=NotUnderstood\0");
      }
    }
    answer = Unpooled.wrappedBuffer(out.toString().getBytes(StandardCharsets.UTF_8));
    tag = connection.nextTransferTag();
    sendPart(pdu);
  }

  /** Sends as much of the answer as the initiator takes in one PDU. */
  private void sendPart(Pdu pdu) {
    int n = Math.min(answer.readableBytes(), connection.params().peerMaxRecvDataSegmentLength);
    boolean last = n == answer.readableBytes();
    Pdu response = Pdu.create(connection.alloc(), Opcode.TEXT_RESPONSE);
    response.set8(1, last ? Pdu.FINAL : CONTINUE).set32(Pdu.ITT, pdu.itt())
        .set32(Pdu.TTT, last ? Pdu.RESERVED_TAG : tag);
    if (n > 0) {
      response = response.withData(answer.readRetainedSlice(n));
    }
    if (last) {
      reset();
    }
    connection.respond(response);
  }

  private void reset() {
    if (answer != null) {
      answer.release();
      answer = null;
    }
    request.clear();
    tag = Pdu.RESERVED_TAG;
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    reset();
    request.release();
  }
}
