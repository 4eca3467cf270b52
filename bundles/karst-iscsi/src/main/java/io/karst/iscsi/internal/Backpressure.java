package io.karst.iscsi.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;

/**
 * Backpressure for an initiator that does not read what the target sends (RFC 7143 leaves flow
 * control to TCP). The CmdSN window does not bound what such an initiator makes the target
 * queue: core completes its commands, the window moves on, and the initiator may send more
 * while Data-In and responses pile up unsent. So while the connection's outbound buffer is
 * above its high water mark, the connection stops reading PDUs, which leaves the initiator's
 * further commands in its own socket; it reads again once the buffer drains below the low
 * mark. A connection whose reading stopped for good (reinstatement, logout) stays stopped.
 *
 * <p>An initiator that stays stalled loses the connection to the keepalive: no PDU is read,
 * so the NOP-In ping goes unanswered.
 */
final class Backpressure extends ChannelInboundHandlerAdapter {

  /**
   * The marks: the high one lets the Data-In of one command of the largest transfer core
   * accepts (16 MiB) be queued whole, so a reading initiator is not slowed.
   */
  static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(4 << 20, 16 << 20);

  private final IscsiConnection connection;

  Backpressure(IscsiConnection connection) {
    this.connection = connection;
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    connection.readWhileWritable();
    ctx.fireChannelWritabilityChanged();
  }
}
