package io.karst.iscsi.internal;

import io.karst.api.target.Session;
import io.karst.api.target.SessionDetails;
import io.karst.api.target.SessionEvents;
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
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

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

  /** CSG and NSG values (0 security, 1 operational negotiation, 2 reserved, 3 full feature). */
  static final int SECURITY = 0;
  static final int FULL_FEATURE = 3;
  /** The target attributes, named as the keys, that say which digests a target accepts. */
  static final String HEADER_DIGEST = "HeaderDigest";
  static final String DATA_DIGEST = "DataDigest";
  /** The Login Request's CID field (RFC 7143 11.12.8). */
  private static final int CID = 20;
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
  /** The TSIH of the leading request: 0 for a new session, else the session to join. */
  private int tsih;
  /** The session this login adds a connection to, once found. */
  private IscsiSession joining;
  /** The target of a normal session, once known. */
  private Target target;
  private CommandWindow window;
  private int statSN;
  private boolean identified;
  /** The security stage, from the first complete request on. */
  private Chap chap;
  /** A refusal is on its way: the initiator's further requests are dropped. */
  private boolean refused;
  /** The login is complete and waits for the session it reinstates to end. */
  private boolean admitting;
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
      if (refused) {
        return;
      }
      if (admitting) {
        LOG.log(Level.WARNING, connection.describe() + " sent " + pdu
            + " before the answer to its login request; closing");
        ctx.close();
        return;
      }
      if (pdu.opcode() != Opcode.LOGIN_REQUEST) {
        LOG.log(Level.WARNING, connection.describe() + " sent " + pdu
            + " before logging in; closing");
        ctx.close();
        return;
      }
      login(ctx, pdu);
    } catch (LoginRefusal r) {
      refuse(ctx, pdu.itt(), pdu.flags() & 0x0F, r);
    } finally {
      pdu.release();
    }
  }

  private void refuse(ChannelHandlerContext ctx, int itt, int stageFlags, LoginRefusal r) {
    // Failed authentications are what an administrator watches for (secrets being tried).
    LOG.log(r.status == LoginRefusal.AUTHENTICATION_FAILURE ? Level.WARNING : Level.INFO,
        "login of " + connection.describe() + who() + (r.status < 0x0200 ? " redirected ("
            : " refused (")
        + String.format("0x%04x", r.status) + "): " + r.getMessage());
    refused = true;
    // The response is made when it is sent: a delayed one whose event loop shuts down first
    // (the driver stopping) then holds no buffer.
    Runnable answer = () -> {
      Pdu response = response(ctx, itt, stageFlags, r.keys);
      response.set8(36, r.status >>> 8).set8(37, r.status & 0xFF);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    };
    if (r.status != LoginRefusal.AUTHENTICATION_FAILURE) {
      answer.run();
      return;
    }
    // So that secrets cannot be tried at the speed of the network, on one connection or many:
    // the wait is scheduled, and the event loop goes on.
    Params p = negotiation.result;
    long wait = service.throttle().failed(p.targetName, p.initiatorName,
        connection.peerAddress());
    if (wait < 0) {
      closeUnanswered(ctx);
    } else {
      ctx.executor().schedule(answer, wait, TimeUnit.NANOSECONDS);
    }
  }

  /** An attempt whose turn to be answered is too far away gets no answer at all. */
  private void closeUnanswered(ChannelHandlerContext ctx) {
    LOG.log(Level.WARNING, "login of " + connection.describe() + who() + " closed "
        + "unanswered: failed authentications under its name or address wait their turn");
    ctx.close();
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
      ctx.writeAndFlush(response(ctx, pdu.itt(), csg << 2, Map.of()));
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
    Map<String, String> security = new LinkedHashMap<>();
    keys.entrySet().removeIf(e -> {
      boolean key = e.getKey().equals("AuthMethod") || e.getKey().startsWith("CHAP_");
      if (key) {
        security.put(e.getKey(), e.getValue());
      }
      return key;
    });
    negotiation.declare(keys);
    Map<String, String> answers = new LinkedHashMap<>();
    if (!identified) {
      identify(answers);
    }
    Map<String, String> negotiated = negotiation.answer(keys);
    boolean authenticating = !chap.passed();
    if (csg == SECURITY) {
      answers.putAll(chap.answer(security));
    } else {
      // Security keys belong to the security stage (RFC 7143 12.1): out of it they settle
      // nothing.
      security.keySet().forEach(k -> answers.put(k, "Irrelevant"));
    }
    answers.putAll(negotiated);
    // Nothing past the security stage before authentication: an initiator that starts in the
    // operational stage or asks to leave the security stage too early is refused. While CHAP
    // is under way, a request to move on is answered without the T bit, as a target may when
    // it has more to negotiate in the stage; libiscsi's first request, AuthMethod with the T
    // bit, is met so.
    if (!chap.passed() && (csg != SECURITY || (transit && !chap.exchanging()))) {
      throw new LoginRefusal(LoginRefusal.AUTHENTICATION_FAILURE,
          csg != SECURITY ? "no authentication (CHAP is required)"
              : "the initiator left the security stage before authenticating");
    }
    int itt = pdu.itt();
    if (authenticating && chap.passed()) {
      // A success waits for the turn that failures under its name or address left, or trying
      // secrets on many connections at once would tell the right one at once.
      Params p = negotiation.result;
      long wait = service.throttle().succeeded(p.targetName, p.initiatorName,
          connection.peerAddress());
      if (wait < 0) {
        closeUnanswered(ctx);
        return;
      }
      if (wait > 0) {
        CompletableFuture<Void> turn = new CompletableFuture<>();
        ctx.executor().schedule(() -> turn.complete(null), wait, TimeUnit.NANOSECONDS);
        waitThenAdmit(ctx, itt, flags & 0x0F, turn, () -> {
          admitting = false;
          proceed(ctx, itt, csg, nsg, transit, answers);
        });
        return;
      }
    }
    proceed(ctx, itt, csg, nsg, transit, answers);
  }

  /** Answers a login request that passed the security checks. */
  private void proceed(ChannelHandlerContext ctx, int itt, int csg, int nsg, boolean transit,
      Map<String, String> answers) throws LoginRefusal {
    boolean moving = transit && chap.passed();
    if (!moving || nsg != FULL_FEATURE) {
      ctx.writeAndFlush(response(ctx, itt, (csg << 2) | (moving ? TRANSIT | nsg : 0),
          answers));
      return;
    }
    negotiation.finish(answers);
    Params params = negotiation.result;
    int stage = (csg << 2) | FULL_FEATURE;
    if (joining != null) {
      addConnection(ctx, itt, stage, answers);
      return;
    }
    List<IscsiSession> reinstated = params.discovery ? List.of()
        : service.reinstated(params, isid);
    if (reinstated.isEmpty()) {
      admit(ctx, itt, stage, answers, false);
      return;
    }
    // Session reinstatement (RFC 7143 6.3.5): the old session ends before the new one is
    // admitted; until then the initiator waits for the final response.
    waitThenAdmit(ctx, itt, stage, CompletableFuture.allOf(reinstated.stream()
        .map(IscsiSession::reinstate).toArray(CompletableFuture<?>[]::new)),
        () -> admit(ctx, itt, stage, answers, true));
  }

  /** An admission that has to wait: a PDU from the initiator meanwhile closes the connection. */
  private interface Admission {
    void run() throws LoginRefusal;
  }

  private void waitThenAdmit(ChannelHandlerContext ctx, int itt, int stage,
      CompletableFuture<?> ended, Admission admission) {
    admitting = true;
    ended.whenComplete((r, e) -> connection.execute(() -> {
      if (!connection.active()) {
        return;
      }
      try {
        admission.run();
      } catch (LoginRefusal refusal) {
        refuse(ctx, itt, stage, refusal);
      }
    }));
  }

  /**
   * Opens the session and enters the full feature phase with the final login response; a
   * session that reinstates another continues its I_T nexus, which core tells of the loss.
   */
  private void admit(ChannelHandlerContext ctx, int itt, int stage, Map<String, String> answers,
      boolean reinstating) throws LoginRefusal {
    Params params = negotiation.result;
    IscsiSession session;
    if (params.discovery) {
      session = service.open(t -> new IscsiSession(service, isid, t, params, null, window));
    } else {
      int max = connection.limits.maxSessions();
      // Counted and registered at once, so that logins at the same time cannot pass the limit.
      synchronized (service) {
        if (max > 0 && service.sessionsOf(target.name()) >= max) {
          throw new LoginRefusal(LoginRefusal.OUT_OF_RESOURCES, "the target has " + max
              + " sessions, its " + TargetLimits.MAX_SESSIONS);
        }
        Session nexus = openSession(params);
        if (reinstating) {
          nexus.nexusLost();
        }
        session = service.open(t -> new IscsiSession(service, isid, t, params, nexus, window));
      }
    }
    session.join(connection, new ArrayList<>());
    enter(ctx, itt, stage, answers, session);
  }

  /**
   * Adds this connection to the session of its TSIH (RFC 7143 6.3.1), up to the session's
   * MaxConnections. A connection of the same CID that is still there is reinstated (6.3.4):
   * its tasks are aborted and it closes before this one gets its final response.
   */
  private void addConnection(ChannelHandlerContext ctx, int itt, int stage,
      Map<String, String> answers) throws LoginRefusal {
    List<IscsiConnection> replaced = new ArrayList<>();
    joining.join(connection, replaced);
    if (replaced.isEmpty()) {
      enter(ctx, itt, stage, answers, joining);
      return;
    }
    LOG.log(Level.INFO, replaced.get(0).describe() + " is reinstated by a new login of its CID;"
        + " ending it");
    waitThenAdmit(ctx, itt, stage, replaced.get(0).terminate(),
        () -> enter(ctx, itt, stage, answers, joining));
  }

  /** Sends the final login response and enters the full feature phase. */
  private void enter(ChannelHandlerContext ctx, int itt, int stage, Map<String, String> answers,
      IscsiSession session) {
    Params params = negotiation.result;
    Pdu response = response(ctx, itt, TRANSIT | stage, answers);
    response.set16(14, session.tsih);
    connection.enter(session, params, statSN);
    // The final response is the last PDU without digests; both directions use them from the
    // first full feature PDU on (RFC 7143 13.1).
    connection.channel.writeAndFlush(response);
    connection.channel.pipeline().get(PduEncoder.class).digests(params.headerDigest,
        params.dataDigest);
    connection.channel.pipeline().get(PduDecoder.class).digests(params.headerDigest,
        params.dataDigest);
    enterFullFeature(ctx);
    LOG.log(Level.INFO, connection.describe() + " logged in"
        + (joining != null ? " (connection " + session.connections().size() + " of at most "
            + params.maxConnections + ")" : "")
        + (chap.user != null ? " as CHAP user " + chap.user : "")
        + (params.headerDigest ? ", header digest CRC32C" : "")
        + (params.dataDigest ? ", data digest CRC32C" : ""));
  }

  /** The initiator and target of a login, as far as declared, for the log. */
  private String who() {
    Params p = negotiation.result;
    return p.initiatorName == null ? ""
        : " (" + p.initiatorName + (p.discovery ? ", discovery" : p.targetName == null ? ""
            : " to " + p.targetName) + ")";
  }

  /** What the first request fixes: ISID, StatSN and CmdSN numbering, version, TSIH. */
  private void leadingRequest(Pdu pdu) throws LoginRefusal {
    isid = new byte[6];
    pdu.bhs.getBytes(8, isid);
    statSN = pdu.u32(Pdu.EXP_STAT_SN);
    window = new CommandWindow(pdu.cmdSN(), service.limits().queuedCommands());
    tsih = pdu.u16(14);
    connection.cid = pdu.u16(CID);
    if (pdu.u8(3) > 0) {
      throw new LoginRefusal(LoginRefusal.UNSUPPORTED_VERSION,
          "VersionMin " + pdu.u8(3) + " (this target speaks version 0)");
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
    String initiatorProblem = IscsiName.initiatorProblem(p.initiatorName);
    if (initiatorProblem != null) {
      throw new LoginRefusal(LoginRefusal.INITIATOR_ERROR, "InitiatorName " + p.initiatorName
          + " is not an iSCSI name (" + initiatorProblem + ")");
    }
    if (p.discovery) {
      if (tsih != 0) {
        throw new LoginRefusal(LoginRefusal.SESSION_DOES_NOT_EXIST, "TSIH " + tsih
            + " in a discovery login: discovery sessions have one connection");
      }
      chap = new Chap(configured(() -> ChapUsers.of(service.context().attributes(),
          "TARGET_DRIVER iscsi")));
      return;
    }
    if (p.targetName == null) {
      throw new LoginRefusal(LoginRefusal.MISSING_PARAMETER, "no TargetName in a normal session");
    }
    String targetProblem = IscsiName.problem(p.targetName);
    if (targetProblem != null) {
      // A target of such a name keeps the driver from starting; one added since is not served.
      throw new LoginRefusal(LoginRefusal.NOT_FOUND, "TargetName " + p.targetName
          + " is not an iSCSI name (" + targetProblem + ")");
    }
    target = service.context().target(p.targetName).orElseThrow(
        () -> new LoginRefusal(LoginRefusal.NOT_FOUND, "no target " + p.targetName));
    InetSocketAddress portal = connection.localAddress();
    if (!AllowedPortals.allows(target, portal == null ? null : portal.getAddress())) {
      // As iscsi-scst answers: the target is not there for this portal.
      throw new LoginRefusal(LoginRefusal.NOT_FOUND, "target " + p.targetName
          + " is not offered on portal " + portal + " (" + AllowedPortals.ATTRIBUTE + ")");
    }
    Redirect redirect = configured(() -> Redirect.of(target));
    if (redirect != null && !redirect.reached(portal)) {
      throw redirect.refusal(p.targetName);
    }
    chap = new Chap(configured(() -> ChapUsers.of(target.attributes(),
        "TARGET " + target.name())));
    negotiation.offer(configured(() -> service.offers().forTarget(target)));
    negotiation.accept(configured(() -> Negotiation.accepted(target, HEADER_DIGEST)),
        configured(() -> Negotiation.accepted(target, DATA_DIGEST)));
    connection.limits = configured(() -> service.limits().forTarget(target));
    if (tsih != 0) {
      joining = service.session(tsih);
      if (joining == null || !joining.sameNexus(p, isid)) {
        joining = null;
        throw new LoginRefusal(LoginRefusal.SESSION_DOES_NOT_EXIST, "TSIH " + tsih
            + ": no session of this initiator and ISID to this target has it");
      }
      negotiation.join(joining.params);
      // The connection's responses report the session's window.
      window = joining.window;
    } else {
      negotiation.allowConnections(connection.limits.maxConnections());
      window = new CommandWindow(window.expCmdSN(), connection.limits.queuedCommands());
    }
    answers.put("TargetPortalGroupTag", target.attributes().getOrDefault("tpgt", "1"));
    String alias = target.attributes().get("alias");
    if (alias != null && !alias.isEmpty()) {
      answers.put("TargetAlias", alias);
    }
  }

  /**
   * What a login reads of the driver's or the target's attributes: CHAP users, redirect,
   * offers, digests, limits, as {@link IscsiService#checkTarget} checks them when the driver
   * starts and the target changes. A value that fails those checks all the same is the
   * target's error.
   */
  private static <T> T configured(Supplier<T> reading) throws LoginRefusal {
    try {
      return reading.get();
    } catch (IllegalArgumentException e) {
      throw new LoginRefusal(LoginRefusal.TARGET_ERROR, e.getMessage());
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
          transportId(p.initiatorName, isid), new SessionEvents() {
            @Override
            public void closeRequested(String reason) {
              connection.session().requestLogout();
            }

            @Override
            public SessionDetails details() {
              IscsiSession s = connection.session();
              return s == null ? SessionDetails.NONE : SessionAttributes.of(s);
            }
          });
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
    int interval = connection.limits.nopInInterval();
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

  private Pdu response(ChannelHandlerContext ctx, int itt, int stageFlags,
      Map<String, String> keys) {
    Pdu r = Pdu.create(ctx.alloc(), Opcode.LOGIN_RESPONSE);
    r.set8(1, stageFlags);
    r.bhs.setBytes(8, isid);
    r.set32(Pdu.ITT, itt);
    r.set32(Pdu.STAT_SN, statSN++);
    window.stamp(r);
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
    connection.failed("login of " + connection.describe(), cause);
  }
}
