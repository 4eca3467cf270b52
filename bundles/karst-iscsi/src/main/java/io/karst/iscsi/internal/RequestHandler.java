package io.karst.iscsi.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * A full feature phase handler for one kind of request PDU: it takes PDUs with its opcode,
 * handles and releases them, and passes every other PDU down the pipeline.
 */
abstract class RequestHandler extends ChannelInboundHandlerAdapter {

  private final int opcode;

  RequestHandler(int opcode) {
    this.opcode = opcode;
  }

  @Override
  public final void channelRead(ChannelHandlerContext ctx, Object msg) {
    Pdu pdu = (Pdu) msg;
    if (pdu.opcode() != opcode) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      handle(pdu);
    } finally {
      pdu.release();
    }
  }

  /** Handles one request; the PDU is released afterwards. */
  abstract void handle(Pdu pdu);
}
