package io.karst.iscsi.internal;

import io.karst.api.target.Session;
import io.karst.api.target.SessionException;
import io.karst.api.target.Target;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The login phase of one connection (RFC 7143 6.3, 11.12, 11.13): security and operational
 * stages, the transit and continue bits, key negotiation, and the status class and detail of a
 * refusal. On the final response it opens the core nexus and hands the connection to the full
 * feature phase.
 */
final class LoginHandler extends ChannelInboundHandlerAdapter {

  private static final System.Logger LOG = System.getLogger(LoginHandler.class.getName());

  static final int SECURITY = 0;
  static final int OPERATIONAL = 1;
  static final int FULL_FEATURE = 3;
  /** Seconds a connection has to log in, so that idle sockets cannot pile up. */
  static final int LOGIN_TIMEOUT_SECONDS = 30;

  private final IscsiService service;
  private final Negotiation negotiation;
  private final ByteBuf pending = Unpooled.buffer();
  private boolean first = true;
  private byte[] isid;
  private int statSN;
  private int cmdSN;
  private Target target;
  private ScheduledFuture<?> deadline;

  /** A login refused: status class and detail (RFC 7143 11.13.5). */
  private static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    Refusal(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  LoginHandler(IscsiService service) {
    this.service = service;
    this.negotiation = new Negotiation(service.offers());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Pdu pdu = (Pdu) msg;
    try {
      if (pdu.opcode() != Opcode.LOGIN_REQUEST) {
        LOG.log(Level.WARNING, ctx.channel().remoteAddress() + " sent " + pdu
            + " before logging in; closing");
        ctx.close();
        return;
      }
      login(ctx, pdu);
    } catch (Refusal r) {
      LOG.log(Level.INFO, "login from " + ctx.channel().remoteAddress() + " refused: "
          + r.getMessage());
      Pdu response = response(ctx, pdu, pdu.flags() & 0x0C, r.status, Map.of());
      response.set8(1, (pdu.flags() & 0x0C) | (pdu.flags() & 0x03));
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } finally {
      pdu.release();
    }
  }

  private void login(ChannelHandlerContext ctx, Pdu pdu) throws Refusal {
    if (first) {
      first = false;
      isid = new byte[6];
      pdu.bhs.getBytes(8, isid);
      statSN = pdu.u32(28);
      cmdSN = pdu.u32(24);
      if (pdu.u8(3) > 0) {
        throw new Refusal(0x0205, "VersionMin " + pdu.u8(3) + " is not supported");
      }
      if (pdu.u16(14) != 0) {
        throw new Refusal(0x020A, "adding a connection to session TSIH " + pdu.u16(14)
            + " (multiple connections are not supported yet)");
      }
    }
    pending.writeBytes(pdu.data, pdu.data.readerIndex(), pdu.dataLength());
    if (pending.readableBytes() > 65536) {
      throw new Refusal(0x0200, "login text longer than 64 KiB");
    }
    int flags = pdu.flags();
    boolean transit = (flags & 0x80) != 0;
    boolean more = (flags & 0x40) != 0;
    int csg = (flags >>> 2) & 0x03;
    int nsg = flags & 0x03;
    if (more) {
      // The initiator continues its text in the next PDU: acknowledge with an empty response.
      ctx.writeAndFlush(response(ctx, pdu, csg << 2, 0, Map.of()));
      return;
    }
    Map<String, String> keys;
    try {
      keys = TextKeys.parse(TextKeys.bytes(pending));
    } catch (IllegalArgumentException e) {
      throw new Refusal(0x0200, "malformed login text: " + e.getMessage());
    } finally {
      pending.clear();
    }
    if (csg == 2 || csg == FULL_FEATURE || (transit && (nsg == 2 || nsg <= csg))) {
      throw new Refusal(0x0200, "invalid stage transition " + csg + " to " + nsg);
    }
    boolean knew = negotiation.result.initiatorName != null;
    Map<String, String> answers = new LinkedHashMap<>(negotiation.answer(keys));
    if (!knew) {
      identify(answers);
    }
    if (!transit || nsg != FULL_FEATURE) {
      ctx.writeAndFlush(response(ctx, pdu, (csg << 2) | (transit ? 0x80 | nsg : 0), 0,
          answers));
      return;
    }
    negotiation.declareOwn(answers);
    Params params = negotiation.result;
    Session nexus = null;
    if (!params.discovery) {
      try {
        nexus = service.context().openSession(params.targetName, params.initiatorName,
            reason -> service.requestLogout(ctx.channel(), reason));
      } catch (SessionException e) {
        throw new Refusal(switch (e.reason()) {
          case TARGET_NOT_FOUND -> 0x0203;
          case TARGET_DISABLED -> 0x0302;
          case NOT_AUTHORIZED -> 0x0202;
          case OUT_OF_RESOURCES -> 0x0303;
        }, e.getMessage());
      }
    }
    IscsiSession session = new IscsiSession(isid, service.nextTsih(), params,
        params.targetName, nexus, cmdSN);
    Pdu response = response(ctx, pdu, 0x80 | (csg << 2) | FULL_FEATURE, 0, answers);
    response.set16(14, session.tsih);
    FullFeatureHandler ffp = new FullFeatureHandler(service, session, statSN);
    ctx.pipeline().replace(this, "full-feature", ffp);
    ffp.sendLoginResponse(response);
    LOG.log(Level.INFO, (params.discovery ? "discovery session" : "session to "
        + params.targetName) + " of " + params.initiatorName + " from "
        + ctx.channel().remoteAddress() + " logged in (TSIH " + session.tsih + ")");
  }

  /** Checks the initiator's declarations once the first request's keys are known. */
  private void identify(Map<String, String> answers) throws Refusal {
    Params p = negotiation.result;
    if (p.initiatorName == null) {
      throw new Refusal(0x0207, "no InitiatorName");
    }
    if (p.discovery) {
      return;
    }
    if (p.targetName == null) {
      throw new Refusal(0x0207, "no TargetName in a normal session");
    }
    Optional<Target> t = service.context().target(p.targetName);
    if (t.isEmpty()) {
      throw new Refusal(0x0203, "no target " + p.targetName);
    }
    target = t.get();
    if (!target.enabled()) {
      throw new Refusal(0x0302, "target " + p.targetName + " is disabled");
    }
    if (!target.admits(p.initiatorName)) {
      throw new Refusal(0x0202, p.initiatorName + " may not reach " + p.targetName);
    }
    answers.put("TargetPortalGroupTag", target.attributes().getOrDefault("tpgt", "1"));
    String alias = target.attributes().get("alias");
    if (alias != null && !alias.isEmpty()) {
      answers.put("TargetAlias", alias);
    }
  }

  private Pdu response(ChannelHandlerContext ctx, Pdu request, int stageFlags, int status,
      Map<String, String> keys) {
    Pdu r = Pdu.create(ctx.alloc(), Opcode.LOGIN_RESPONSE);
    r.set8(1, stageFlags);
    r.bhs.setBytes(8, request.bhs, 8, 6);
    r.set32(16, request.itt());
    r.set32(24, statSN++);
    r.set32(28, cmdSN);
    r.set32(32, cmdSN + service.queueDepth() - 1);
    r.set8(36, status >>> 8);
    r.set8(37, status & 0xFF);
    return keys.isEmpty() ? r : r.withData(Unpooled.wrappedBuffer(TextKeys.format(keys)));
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    deadline = ctx.executor().schedule(() -> {
      LOG.log(Level.INFO, ctx.channel().remoteAddress() + " did not log in within "
          + LOGIN_TIMEOUT_SECONDS + " s; closing");
      ctx.close();
    }, LOGIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    deadline.cancel(false);
    pending.release();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.log(Level.WARNING, "login connection from " + ctx.channel().remoteAddress()
        + " failed; closing", cause);
    ctx.close();
  }
}
