package io.karst.iscsi.internal;

import io.karst.api.scsi.DataDirection;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.Status;
import io.karst.api.scsi.Task;
import io.karst.api.scsi.TaskAttribute;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The full feature phase of one connection (RFC 7143 4.2): command numbering and ordering,
 * SCSI commands with their Data-Out, R2T and Data-In, NOP keepalives, Text, Logout, task
 * management and Reject. Runs on the connection's event loop; core's completions hop here.
 */
final class FullFeatureHandler extends ChannelInboundHandlerAdapter {

  private static final System.Logger LOG = System.getLogger(FullFeatureHandler.class.getName());
  /** ATTR values 0 (untagged) to 4 (ACA); the reserved 5 to 7 are taken as SIMPLE. */
  private static final TaskAttribute[] ATTRIBUTES = {TaskAttribute.SIMPLE, TaskAttribute.SIMPLE,
      TaskAttribute.ORDERED, TaskAttribute.HEAD_OF_QUEUE, TaskAttribute.ACA,
      TaskAttribute.SIMPLE};
  /** Seconds an initiator has to log out after an Async Message asks it to. */
  static final int LOGOUT_GRACE_SECONDS = 5;

  private final IscsiService service;
  final IscsiSession session;
  private ChannelHandlerContext ctx;
  private int statSN;
  private int transferTag;
  private int inFlight;
  private final Map<Integer, IscsiTask> tasks = new HashMap<>();
  private final Map<Integer, Pdu> waiting = new HashMap<>();
  private final TextExchange text;
  private int pingTag = Pdu.RESERVED_TAG;
  private ScheduledFuture<?> pingTimeout;
  private boolean loggingOut;

  FullFeatureHandler(IscsiService service, IscsiSession session, int statSN) {
    this.service = service;
    this.session = session;
    this.statSN = statSN;
    this.text = new TextExchange(service, session);
    session.maxCmdSN = session.expCmdSN + service.queueDepth() - 1;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    ctx = context;
    service.register(this);
    int interval = service.nopInInterval();
    if (interval > 0) {
      ctx.pipeline().addBefore(ctx.name(), "keepalive", new IdleStateHandler(interval, 0, 0));
    }
  }

  /** Sends the final login response, which carries the first StatSN of the session. */
  void sendLoginResponse(Pdu response) {
    ctx.writeAndFlush(response);
  }

  Params params() {
    return session.params;
  }

  ByteBufAllocator alloc() {
    return ctx.alloc();
  }

  /** The address the initiator reached, or null on a channel that has none (a test's). */
  java.net.InetSocketAddress localAddress() {
    return ctx.channel().localAddress() instanceof java.net.InetSocketAddress a ? a : null;
  }

  boolean active() {
    return ctx.channel().isActive();
  }

  /** Runs on this connection's event loop, now if already there. */
  void onLoop(Runnable r) {
    if (ctx.executor().inEventLoop()) {
      r.run();
      return;
    }
    try {
      ctx.executor().execute(r);
    } catch (RejectedExecutionException e) {
      LOG.log(Level.DEBUG, "event loop is gone; dropping a completion", e);
    }
  }

  int nextTransferTag() {
    transferTag = (transferTag + 1) & 0x7FFFFFFF;
    return transferTag;
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object msg) {
    Pdu pdu = (Pdu) msg;
    try {
      if (pdu.dataLength() > session.params.maxRecvDataSegmentLength) {
        reject(pdu, Opcode.REJECT_PROTOCOL_ERROR);
        return;
      }
      switch (pdu.opcode()) {
        case Opcode.DATA_OUT -> {
          IscsiTask t = tasks.get(pdu.itt());
          if (t != null) {
            t.dataOut(pdu);
          }
          // Else: data for a command that already ended (core refused it before soliciting
          // anything); the initiator was allowed to send it, so it is dropped quietly.
        }
        case Opcode.NOP_OUT -> {
          if (pdu.itt() == Pdu.RESERVED_TAG) {
            pong(pdu);
          } else {
            order(pdu);
          }
        }
        case Opcode.SCSI_COMMAND, Opcode.TEXT_REQUEST, Opcode.LOGOUT_REQUEST,
            Opcode.TASK_MANAGEMENT_REQUEST -> order(pdu);
        case Opcode.SNACK_REQUEST -> reject(pdu, Opcode.REJECT_PROTOCOL_ERROR);
        default -> reject(pdu, Opcode.REJECT_COMMAND_NOT_SUPPORTED);
      }
    } finally {
      pdu.release();
    }
  }

  /**
   * Delivers commands in CmdSN order (RFC 7143 4.2.2.1): immediate ones at once, the expected
   * one and then any that waited for it, later ones within the window held, others dropped.
   */
  private void order(Pdu pdu) {
    int cmdSN = pdu.u32(24);
    if (pdu.immediate()) {
      execute(pdu);
      return;
    }
    if (cmdSN == session.expCmdSN) {
      session.expCmdSN++;
      execute(pdu);
      Pdu next;
      while ((next = waiting.remove(session.expCmdSN)) != null) {
        session.expCmdSN++;
        try {
          execute(next);
        } finally {
          next.release();
        }
      }
    } else if (IscsiSession.before(session.expCmdSN, cmdSN)
        && !IscsiSession.before(session.maxCmdSN, cmdSN) && !waiting.containsKey(cmdSN)) {
      waiting.put(cmdSN, pdu.retain());
    } else {
      LOG.log(Level.DEBUG, "dropping CmdSN " + cmdSN + " outside the window "
          + session.expCmdSN + ".." + session.maxCmdSN);
    }
  }

  private void execute(Pdu pdu) {
    switch (pdu.opcode()) {
      case Opcode.SCSI_COMMAND -> scsiCommand(pdu);
      case Opcode.NOP_OUT -> nopOut(pdu);
      case Opcode.TEXT_REQUEST -> text.request(this, pdu);
      case Opcode.LOGOUT_REQUEST -> logout(pdu);
      default -> TaskManagement.respond(this, pdu);
    }
  }

  private void scsiCommand(Pdu pdu) {
    if (session.discovery()) {
      reject(pdu, Opcode.REJECT_PROTOCOL_ERROR);
      return;
    }
    int itt = pdu.itt();
    int flags = pdu.flags();
    int expected = pdu.u32(20);
    int immediate = pdu.dataLength();
    if (tasks.containsKey(itt) || expected < 0
        || (immediate > 0 && (!session.params.immediateData || immediate > expected
            || immediate > session.params.firstBurstLength || (flags & 0x20) == 0))) {
      reject(pdu, Opcode.REJECT_INVALID_PDU_FIELD);
      return;
    }
    boolean read = (flags & 0x40) != 0;
    boolean write = (flags & 0x20) != 0;
    DataDirection direction = read && write ? DataDirection.BIDIRECTIONAL
        : write ? DataDirection.WRITE : read ? DataDirection.READ : DataDirection.NONE;
    byte[] cdb = cdb(pdu);
    long lunField = pdu.u64(8);
    IscsiTask t = new IscsiTask(this, itt, lunField, expected, (flags & 0x80) != 0,
        immediate > 0 ? pdu.data.retainedSlice() : null);
    tasks.put(itt, t);
    inFlight++;
    Task task = session.nexus.newTask(t, itt & 0xFFFFFFFFL, lun(lunField), cdb,
        ATTRIBUTES[Math.min(flags & 0x07, ATTRIBUTES.length - 1)], direction, expected);
    t.task = task;
    task.submit();
  }

  /** The CDB: 16 bytes in the BHS, more in an Extended CDB AHS (type 1) when present. */
  private static byte[] cdb(Pdu pdu) {
    ByteBuf ahs = pdu.ahs;
    int extra = 0;
    if (ahs.readableBytes() >= 4 && ahs.getUnsignedByte(ahs.readerIndex() + 2) == 1) {
      extra = Math.min(ahs.getUnsignedShort(ahs.readerIndex()) - 1, ahs.readableBytes() - 4);
    }
    byte[] cdb = new byte[16 + Math.max(0, extra)];
    pdu.bhs.getBytes(32, cdb, 0, 16);
    if (extra > 0) {
      ahs.getBytes(ahs.readerIndex() + 4, cdb, 16, extra);
    }
    return cdb;
  }

  /**
   * The LUN number from the 8-byte LUN field (SAM-5 4.7): peripheral device addressing with
   * bus 0, or flat space addressing; anything else names no LUN core has, which core answers
   * with LOGICAL UNIT NOT SUPPORTED.
   */
  static long lun(long field) {
    int b0 = (int) (field >>> 56) & 0xFF;
    int b1 = (int) (field >>> 48) & 0xFF;
    if ((field & 0xFFFF_FFFF_FFFFL) != 0) {
      return -1;
    }
    return switch (b0 >>> 6) {
      case 0 -> (b0 & 0x3F) == 0 ? b1 : -1;
      case 1 -> ((b0 & 0x3F) << 8) | b1;
      default -> -1;
    };
  }

  /** Sends a finished task's Data-In and status (RFC 7143 11.4, 11.7). */
  void complete(IscsiTask t) {
    if (tasks.get(t.itt) == t) {
      tasks.remove(t.itt);
      inFlight--;
    }
    try {
      if (!active()) {
        return;
      }
      Task task = t.task;
      if (task.status() == Status.TASK_ABORTED) {
        // Ended by task management: the initiator hears of it through the TMF response.
        return;
      }
      ByteBuffer in = task.dataIn();
      int available = in == null ? 0 : in.remaining();
      int base = available > 0 || task.direction() == DataDirection.READ ? available
          : task.direction() == DataDirection.WRITE ? task.transferLength() : 0;
      int residual = base - t.expectedLength;
      int residualFlags = residual > 0 ? 0x04 : residual < 0 ? 0x02 : 0;
      int send = Math.min(available, t.expectedLength);
      boolean collapse = task.status() == Status.GOOD && send > 0;
      int dataSN = send > 0 ? dataIn(t, in, send, collapse, residualFlags, Math.abs(residual))
          : 0;
      if (!collapse) {
        scsiResponse(t, task.status(), task.sense(), dataSN, residualFlags, Math.abs(residual));
      }
      ctx.flush();
    } finally {
      t.releaseBuffer();
    }
  }

  /** Data-In PDUs within MaxRecvDataSegmentLength, F at each MaxBurstLength; returns count. */
  private int dataIn(IscsiTask t, ByteBuffer in, int length, boolean collapse,
      int residualFlags, int residual) {
    ByteBuf data = t.dataInSlice(in, length);
    if (data == null) {
      ByteBuffer d = in.duplicate();
      d.limit(d.position() + length);
      data = Unpooled.wrappedBuffer(d);
    }
    Params p = session.params;
    int dataSN = 0;
    int offset = 0;
    int burst = 0;
    try {
      while (offset < length) {
        int n = Math.min(Math.min(p.peerMaxRecvDataSegmentLength, length - offset),
            p.maxBurstLength - burst);
        boolean last = offset + n == length;
        burst += n;
        boolean endOfBurst = last || burst == p.maxBurstLength;
        Pdu pdu = Pdu.create(ctx.alloc(), Opcode.DATA_IN);
        int flags = endOfBurst ? 0x80 : 0;
        if (last && collapse) {
          flags |= 0x01 | residualFlags;
          pdu.set32(24, statSN++).set32(44, residual);
        }
        pdu.set8(1, flags).set64(8, t.lunField).set32(16, t.itt).set32(20, Pdu.RESERVED_TAG)
            .set32(36, dataSN++).set32(40, offset);
        numbers(pdu);
        ctx.write(pdu.withData(data.retainedSlice(data.readerIndex() + offset, n)));
        offset += n;
        if (endOfBurst) {
          burst = 0;
        }
      }
    } finally {
      data.release();
    }
    return dataSN;
  }

  private void scsiResponse(IscsiTask t, Status status, Sense sense, int dataSN,
      int residualFlags, int residual) {
    Pdu pdu = Pdu.create(ctx.alloc(), Opcode.SCSI_RESPONSE);
    pdu.set8(1, 0x80 | residualFlags).set8(3, status.code()).set32(16, t.itt)
        .set32(24, statSN++).set32(36, dataSN).set32(44, residual);
    numbers(pdu);
    if (status == Status.CHECK_CONDITION && sense != null) {
      ByteBuf data = ctx.alloc().buffer(2 + Sense.FIXED_LENGTH);
      data.writeShort(Sense.FIXED_LENGTH).writeBytes(sense.toBytes());
      pdu = pdu.withData(data);
    }
    ctx.write(pdu);
  }

  void sendR2T(IscsiTask t, int ttt, int r2tSN, int offset, int length) {
    Pdu pdu = Pdu.create(ctx.alloc(), Opcode.R2T);
    pdu.set64(8, t.lunField).set32(16, t.itt).set32(20, ttt).set32(24, statSN)
        .set32(36, r2tSN).set32(40, offset).set32(44, length);
    numbers(pdu);
    ctx.writeAndFlush(pdu);
  }

  /** ExpCmdSN and MaxCmdSN: the window shrinks while commands are in progress. */
  private void numbers(Pdu pdu) {
    int max = session.expCmdSN + Math.max(0, service.queueDepth() - inFlight) - 1;
    if (IscsiSession.before(session.maxCmdSN, max)) {
      session.maxCmdSN = max;
    }
    pdu.set32(28, session.expCmdSN).set32(32, session.maxCmdSN);
  }

  /** Stamps a response PDU with the next StatSN and the window, and sends it. */
  ChannelFuture respond(Pdu pdu) {
    pdu.set32(24, statSN++);
    numbers(pdu);
    return ctx.writeAndFlush(pdu);
  }

  void reject(Pdu rejected, int reason) {
    Pdu pdu = Pdu.create(ctx.alloc(), Opcode.REJECT);
    pdu.set8(2, reason).set32(16, Pdu.RESERVED_TAG);
    respond(pdu.withData(rejected.bhs.copy()));
  }

  private void nopOut(Pdu pdu) {
    Pdu nopIn = Pdu.create(ctx.alloc(), Opcode.NOP_IN);
    nopIn.set64(8, pdu.u64(8)).set32(16, pdu.itt()).set32(20, Pdu.RESERVED_TAG);
    int echo = Math.min(pdu.dataLength(), session.params.peerMaxRecvDataSegmentLength);
    respond(echo == 0 ? nopIn : nopIn.withData(pdu.data.retainedSlice(pdu.data.readerIndex(),
        echo)));
  }

  /** A NOP-Out answering this target's NOP-In ping: the connection is alive. */
  private void pong(Pdu pdu) {
    if (pdu.u32(20) == pingTag && pingTimeout != null) {
      pingTimeout.cancel(false);
      pingTimeout = null;
      pingTag = Pdu.RESERVED_TAG;
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext context, Object event) {
    if (event instanceof IdleStateEvent && pingTimeout == null) {
      pingTag = nextTransferTag();
      Pdu ping = Pdu.create(ctx.alloc(), Opcode.NOP_IN);
      ping.set32(16, Pdu.RESERVED_TAG).set32(20, pingTag).set32(24, statSN);
      numbers(ping);
      ctx.writeAndFlush(ping);
      pingTimeout = ctx.executor().schedule(() -> {
        LOG.log(Level.WARNING, describe() + ": no answer to NOP-In in "
            + service.nopInTimeout() + " s; closing the connection");
        ctx.close();
      }, service.nopInTimeout(), TimeUnit.SECONDS);
    }
  }

  private void logout(Pdu pdu) {
    int reason = pdu.flags() & 0x7F;
    if (reason > 2) {
      reject(pdu, Opcode.REJECT_INVALID_PDU_FIELD);
      return;
    }
    Pdu response = Pdu.create(ctx.alloc(), Opcode.LOGOUT_RESPONSE);
    // Connection recovery needs ErrorRecoveryLevel 2: "not supported" (response 2).
    response.set8(2, reason == 2 ? 2 : 0).set32(16, pdu.itt());
    ChannelFuture sent = respond(response);
    if (reason != 2) {
      loggingOut = true;
      sent.addListener(ChannelFutureListener.CLOSE);
    }
  }

  /**
   * Asks the initiator to log out (Async Message, event 1, RFC 7143 11.9.1), and closes the
   * connection if it has not within the grace period.
   */
  void requestLogout() {
    if (!active() || loggingOut) {
      return;
    }
    loggingOut = true;
    Pdu pdu = Pdu.create(ctx.alloc(), Opcode.ASYNC_MESSAGE);
    pdu.set32(16, Pdu.RESERVED_TAG).set8(36, 1).set16(42, LOGOUT_GRACE_SECONDS);
    respond(pdu);
    ctx.executor().schedule(() -> ctx.close(), LOGOUT_GRACE_SECONDS + session.params.defaultTime2Wait, TimeUnit.SECONDS);
  }

  String describe() {
    return (session.discovery() ? "discovery session" : "session to " + session.targetName)
        + " of " + session.params.initiatorName + " (TSIH " + session.tsih + ")";
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) {
    service.unregister(this);
    if (pingTimeout != null) {
      pingTimeout.cancel(false);
    }
    waiting.values().forEach(Pdu::release);
    waiting.clear();
    for (IscsiTask t : List.copyOf(tasks.values())) {
      t.abandon();
    }
    if (session.nexus != null) {
      session.nexus.close();
    }
    text.release();
    LOG.log(Level.INFO, describe() + " ended");
    context.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
    LOG.log(Level.WARNING, describe() + ": " + cause + "; closing the connection");
    context.close();
  }
}
