package io.karst.iscsi.internal;

import io.karst.api.target.Session;
import io.karst.api.target.SessionException;
import io.karst.api.target.Target;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The login phase of one connection (RFC 7143 6.3, 11.12, 11.13), as a state machine over the
 * Login Requests: the security stage (0), the operational stage (1) and the transit to the
 * full feature phase (3), driven by the T bit and CSG/NSG; requests continued with the C bit
 * are gathered, each part acknowledged by an empty response, before their keys are
 * negotiated.
 *
 * <p>Every response echoes the ISID and the request's ITT, carries VersionMax and
 * VersionActive 0, a StatSN starting at the initiator's ExpStatSN and the command window
 * starting at its CmdSN. The first answer of a normal session declares TargetPortalGroupTag
 * (and TargetAlias). The final response assigns the TSIH, opens the core nexus (for a normal
 * session) and replaces this handler with the full feature pipeline. A refused login gets the
 * status class and detail of {@link LoginRefusal}, and the connection is closed.
 */
final class LoginHandler extends ChannelInboundHandlerAdapter {

  private static final System.Logger LOG = System.getLogger(LoginHandler.class.getName());

  /** CSG and NSG values (0 security, 1 operational negotiation, 2 reserved). */
  static final int FULL_FEATURE = 3;
  /** Flags of a Login Request or Response. */
  private static final int TRANSIT = 0x80;
  private static final int CONTINUE = 0x40;
  /** Seconds a connection has to log in, so that idle sockets cannot pile up. */
  static final int LOGIN_TIMEOUT_SECONDS = 30;
  /** The most login text gathered over continued requests. */
  private static final int MAX_TEXT = 65536;

  private final IscsiConnection connection;
  private final IscsiService service;
  private final Negotiation negotiation;
  private final ByteBuf text = Unpooled.buffer();
  private byte[] isid;
  private CommandWindow window;
  private int statSN;
  private boolean identified;
  private ScheduledFuture<?> deadline;

  LoginHandler(IscsiConnection connection) {
    this.connection = connection;
    this.service = connection.service;
    this.negotiation = new Negotiation(service.offers());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Pdu pdu = (Pdu) msg;
    try {
      if (pdu.opcode() != Opcode.LOGIN_REQUEST) {
        LOG.log(Level.WARNING, connection.describe() + " sent " + pdu
            + " before logging in; closing");
        ctx.close();
        return;
      }
      login(ctx, pdu);
    } catch (LoginRefusal r) {
      LOG.log(Level.INFO, "login of " + connection.describe() + " refused ("
          + String.format("0x%04x", r.status) + "): " + r.getMessage());
      Pdu response = response(ctx, pdu, pdu.flags() & 0x0F, Map.of());
      response.set8(36, r.status >>> 8).set8(37, r.status & 0xFF);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } finally {
      pdu.release();
    }
  }

  private void login(ChannelHandlerContext ctx, Pdu pdu) throws LoginRefusal {
    if (isid == null) {
      leadingRequest(pdu);
    }
    if (pdu.truncated()) {
      throw new LoginRefusal(LoginRefusal.INITIATOR_ERROR, "a login data segment longer than "
          + PduDecoder.LOGIN_DATA_SEGMENT_LENGTH + " bytes");
    }
    text.writeBytes(pdu.data, pdu.data.readerIndex(), pdu.dataLength());
    if (text.readableBytes() > MAX_TEXT) {
      throw new LoginRefusal(LoginRefusal.INITIATOR_ERROR, "login text over " + MAX_TEXT);
    }
    int flags = pdu.flags();
    boolean transit = (flags & TRANSIT) != 0;
    int csg = (flags >>> 2) & 0x03;
    int nsg = flags & 0x03;
    if (csg == 2 || csg == FULL_FEATURE
        || (transit && (nsg == 2 || nsg <= csg || (flags & CONTINUE) != 0))) {
      throw new LoginRefusal(LoginRefusal.INITIATOR_ERROR,
          "invalid stages: CSG " + csg + ", NSG " + nsg + ", flags " + flags);
    }
    if ((flags & CONTINUE) != 0) {
      // The initiator's text goes on in the next request: acknowledge this part, no keys.
      ctx.writeAndFlush(response(ctx, pdu, csg << 2, Map.of()));
      return;
    }
    Map<String, String> keys;
    try {
      keys = TextKeys.parse(TextKeys.bytes(text));
    } catch (IllegalArgumentException e) {
      throw new LoginRefusal(LoginRefusal.INITIATOR_ERROR, "login text: " + e.getMessage());
    } finally {
      text.clear();
    }
    Map<String, String> answers = new LinkedHashMap<>(negotiation.answer(keys));
    if (!identified) {
      identify(answers);
    }
    if (!transit || nsg != FULL_FEATURE) {
      ctx.writeAndFlush(response(ctx, pdu, (csg << 2) | (transit ? TRANSIT | nsg : 0),
          answers));
      return;
    }
    negotiation.finish(answers);
    Params params = negotiation.result;
    Session nexus = params.discovery ? null : openSession(params);
    IscsiSession session = new IscsiSession(isid, service.nextTsih(), params, nexus, window);
    Pdu response = response(ctx, pdu, TRANSIT | (csg << 2) | FULL_FEATURE, answers);
    response.set16(14, session.tsih);
    connection.join(session, statSN);
    enterFullFeature(ctx);
    connection.channel.writeAndFlush(response);
    LOG.log(Level.INFO, connection.describe() + " logged in");
  }

  /** What the first request fixes: ISID, StatSN and CmdSN numbering, version, TSIH. */
  private void leadingRequest(Pdu pdu) throws LoginRefusal {
    isid = new byte[6];
    pdu.bhs.getBytes(8, isid);
    statSN = pdu.u32(Pdu.EXP_STAT_SN);
    window = new CommandWindow(pdu.cmdSN(), service.queueDepth());
    if (pdu.u8(3) > 0) {
      throw new LoginRefusal(LoginRefusal.UNSUPPORTED_VERSION,
          "VersionMin " + pdu.u8(3) + " (this target speaks version 0)");
    }
    if (pdu.u16(14) != 0) {
      throw new LoginRefusal(LoginRefusal.SESSION_DOES_NOT_EXIST, "TSIH " + pdu.u16(14)
          + ": adding a connection to a session is not supported (MaxConnections 1)");
    }
  }

  /**
   * Checks the initiator's declarations once its first complete request is known, and adds
   * the declarations a normal session's first answer carries.
   */
  private void identify(Map<String, String> answers) throws LoginRefusal {
    identified = true;
    Params p = negotiation.result;
    if (p.initiatorName == null) {
      throw new LoginRefusal(LoginRefusal.MISSING_PARAMETER, "no InitiatorName");
    }
    if (p.discovery) {
      return;
    }
    if (p.targetName == null) {
      throw new LoginRefusal(LoginRefusal.MISSING_PARAMETER, "no TargetName in a normal session");
    }
    Target target = service.context().target(p.targetName).orElseThrow(
        () -> new LoginRefusal(LoginRefusal.NOT_FOUND, "no target " + p.targetName));
    answers.put("TargetPortalGroupTag", target.attributes().getOrDefault("tpgt", "1"));
    String alias = target.attributes().get("alias");
    if (alias != null && !alias.isEmpty()) {
      answers.put("TargetAlias", alias);
    }
  }

  /**
   * The initiator port's TransportID (SPC-4 7.6.4.6, format 01b): the iSCSI name, ",i,0x" and
   * the ISID, NUL-terminated and padded to a multiple of four bytes, at least 20.
   */
  static byte[] transportId(String initiatorName, byte[] isid) {
    byte[] text = (initiatorName + ",i,0x" + java.util.HexFormat.of().formatHex(isid))
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int length = Math.max(20, (text.length + 1 + 3) / 4 * 4);
    return java.nio.ByteBuffer.allocate(4 + length).put((byte) 0x45).put((byte) 0)
        .putShort((short) length).put(text).array();
  }

  /**
   * Opens the core nexus. Core decides whether the target exists, is enabled and admits the
   * initiator; a disabled target answers "service unavailable", which initiators retry, as
   * it may be enabled again.
   */
  private Session openSession(Params p) throws LoginRefusal {
    try {
      return service.context().openSession(p.targetName, p.initiatorName,
          transportId(p.initiatorName, isid), reason -> connection.requestLogout());
    } catch (SessionException e) {
      throw new LoginRefusal(switch (e.reason()) {
        case TARGET_NOT_FOUND -> LoginRefusal.NOT_FOUND;
        case TARGET_DISABLED -> LoginRefusal.SERVICE_UNAVAILABLE;
        case NOT_AUTHORIZED -> LoginRefusal.AUTHORIZATION_FAILURE;
        case OUT_OF_RESOURCES -> LoginRefusal.OUT_OF_RESOURCES;
      }, e.getMessage());
    }
  }

  /**
   * Replaces the login phase with the full feature pipeline. A discovery session gets no
   * SCSI or task management handler, so the tail rejects those PDUs there.
   */
  private void enterFullFeature(ChannelHandlerContext ctx) {
    connection.channel.pipeline().get(PduDecoder.class)
        .maxDataSegmentLength(connection.params().maxRecvDataSegmentLength);
    ChannelPipeline p = ctx.pipeline();
    int interval = service.nopInInterval();
    if (interval > 0) {
      p.addLast("idle", new IdleStateHandler(interval, 0, 0));
    }
    p.addLast("sequencer", new CommandSequencer(connection));
    p.addLast("nop", new NopHandler(connection));
    if (!connection.session().discovery()) {
      p.addLast("scsi", new ScsiCommandHandler(connection));
      p.addLast("tmf", new TaskManagementHandler(connection));
    }
    p.addLast("text", new TextHandler(connection));
    p.addLast("logout", new LogoutHandler(connection));
    p.addLast("reject", new RejectHandler(connection));
    p.remove(this);
  }

  private Pdu response(ChannelHandlerContext ctx, Pdu request, int stageFlags,
      Map<String, String> keys) {
    Pdu r = Pdu.create(ctx.alloc(), Opcode.LOGIN_RESPONSE);
    r.set8(1, stageFlags);
    r.bhs.setBytes(8, request.bhs, 8, 6);
    r.set32(Pdu.ITT, request.itt());
    r.set32(Pdu.STAT_SN, statSN++);
    r.set32(Pdu.EXP_CMD_SN, window.expCmdSN()).set32(Pdu.MAX_CMD_SN, window.maxCmdSN());
    return keys.isEmpty() ? r : r.withData(Unpooled.wrappedBuffer(TextKeys.format(keys)));
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    deadline = ctx.executor().schedule(() -> {
      LOG.log(Level.INFO, connection.describe() + " did not log in within "
          + LOGIN_TIMEOUT_SECONDS + " s; closing");
      ctx.close();
    }, LOGIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    deadline.cancel(false);
    text.release();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.log(Level.WARNING, "login of " + connection.describe() + " failed; closing", cause);
    ctx.close();
  }
}
