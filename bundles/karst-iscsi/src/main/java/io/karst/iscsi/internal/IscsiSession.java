package io.karst.iscsi.internal;

import io.karst.api.scsi.TaskManagementFunction;
import io.karst.api.target.Session;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An iSCSI session (RFC 7143 3.4): its identity (ISID, TSIH), the session-wide parameters its
 * leading login negotiated, the core nexus of a normal session, the command window and
 * ordering its connections share, and the connections themselves, up to the negotiated
 * MaxConnections, each with its CID.
 *
 * <p>Each connection keeps its own event loop; what they share here is guarded by this
 * object's lock. A task stays on the connection its command came on (connection allegiance,
 * 4.2.3): its R2Ts, Data-Out, Data-In and status go there, with that connection's StatSN.
 *
 * <p>The session ends when its last connection leaves, however it leaves (logout, failure,
 * reinstatement); the nexus ends with it. A connection that leaves while others stay takes
 * its tasks with it: at ErrorRecoveryLevel 0 they cannot move to another connection, so they
 * are aborted in core (RFC 7143 11.14.1, "implicit termination of tasks").
 */
final class IscsiSession {

  private static final System.Logger LOG = System.getLogger(IscsiSession.class.getName());

  final byte[] isid;
  final int tsih;
  final Params params;
  /** The core nexus; null for a discovery session. */
  final Session nexus;
  final CommandWindow window;
  /** The commands held until their CmdSN's turn, from whichever connection they came. */
  final CommandSequencer.Ordering ordering;
  private final IscsiService service;
  /** Changed under the lock; read without it, as every command checks its tag here. */
  private final List<IscsiConnection> connections = new CopyOnWriteArrayList<>();
  private boolean ended;

  IscsiSession(IscsiService service, byte[] isid, int tsih, Params params, Session nexus,
      CommandWindow window) {
    this.service = service;
    this.isid = isid;
    this.tsih = tsih;
    this.params = params;
    this.nexus = nexus;
    this.window = window;
    this.ordering = new CommandSequencer.Ordering(window);
  }

  boolean discovery() {
    return nexus == null;
  }

  /**
   * Whether a login of these names and ISID is of this session's initiator port to its
   * target: one that may add a connection to it, or reinstate it (RFC 7143 6.3.1, 6.3.5).
   */
  boolean sameNexus(Params login, byte[] isid) {
    return Arrays.equals(this.isid, isid) && params.initiatorName.equals(login.initiatorName)
        && params.targetName.equals(login.targetName);
  }

  /**
   * Adds a connection with its CID. A connection of the same CID that is still there is
   * replaced (connection reinstatement, RFC 7143 6.3.4) and returned in {@code replaced}, to
   * be ended by the caller; no connection beyond MaxConnections is admitted. The connection
   * leaves the session when its channel closes.
   *
   * @throws LoginRefusal "session does not exist" once the session has ended, "too many
   *     connections" beyond MaxConnections
   */
  synchronized void join(IscsiConnection connection, List<IscsiConnection> replaced)
      throws LoginRefusal {
    if (ended) {
      throw new LoginRefusal(LoginRefusal.SESSION_DOES_NOT_EXIST, describe() + " has ended");
    }
    IscsiConnection old = connection(connection.cid);
    if (old == null && connections.size() >= params.maxConnections) {
      throw new LoginRefusal(LoginRefusal.TOO_MANY_CONNECTIONS, describe() + " has "
          + connections.size() + " connections, the MaxConnections it negotiated");
    }
    if (old != null) {
      connections.remove(old);
      replaced.add(old);
    }
    connections.add(connection);
    connection.channel.closeFuture().addListener(f -> leave(connection));
  }

  /** The connection of this CID, or null. */
  IscsiConnection connection(int cid) {
    for (IscsiConnection c : connections) {
      if (c.cid == cid) {
        return c;
      }
    }
    return null;
  }

  List<IscsiConnection> connections() {
    return List.copyOf(connections);
  }

  /**
   * A connection closed. Its tasks end in core; the last connection's leaving ends the
   * session. A connection replaced by reinstatement has already left.
   */
  void leave(IscsiConnection connection) {
    boolean last;
    synchronized (this) {
      if (!connections.remove(connection)) {
        return;
      }
      last = connections.isEmpty();
      if (last) {
        ended = true;
      }
    }
    if (last) {
      end();
    } else {
      connection.terminateTasks();
      LOG.log(Level.INFO, connection.describe() + " left; " + connections().size()
          + " connection(s) remain");
    }
  }

  /** Whether a task of this tag is running on any connection (ITTs are session-wide). */
  boolean hasTask(int itt) {
    for (IscsiConnection c : connections) {
      if (c.tasks.containsKey(itt)) {
        return true;
      }
    }
    return false;
  }

  /** Core wants the session ended: every connection asks its initiator to log out. */
  void requestLogout() {
    connections().forEach(IscsiConnection::requestLogout);
  }

  /**
   * Ends the session because a new login of the same initiator and ISID to the same target
   * reinstates it (RFC 7143 6.3.5): the connections stop reading, the tasks are aborted in
   * core (ABORT TASK SET on every LUN they address, which completes once none of them can
   * touch the medium any more), then the connections close and the nexus ends. The stage
   * completes after that, so that the new session starts with nothing of the old one still
   * running.
   */
  CompletableFuture<Void> reinstate() {
    LOG.log(Level.INFO, describe() + " is reinstated by a new login; ending it");
    List<IscsiConnection> all = connections();
    return abortTaskSets(all).thenCompose(v -> CompletableFuture.allOf(all.stream()
        .map(IscsiConnection::close).toArray(CompletableFuture<?>[]::new)))
        .thenRun(this::close);
  }

  /**
   * Ends every task of the session in core: reading stops on every connection, and ABORT
   * TASK SET goes to each LUN the tasks address.
   */
  CompletableFuture<Void> abortTaskSets(List<IscsiConnection> all) {
    List<CompletableFuture<Void>> stopped = all.stream().map(IscsiConnection::stopReading)
        .toList();
    return CompletableFuture.allOf(stopped.toArray(CompletableFuture<?>[]::new))
        .thenCompose(v -> {
          long[] luns = all.stream().flatMap(c -> c.tasks.values().stream())
              .mapToLong(t -> ScsiCommandHandler.lun(t.lunField)).filter(lun -> lun >= 0)
              .distinct().toArray();
          CompletableFuture<?>[] aborts = new CompletableFuture<?>[luns.length];
          for (int i = 0; i < luns.length; i++) {
            aborts[i] = nexus.manage(TaskManagementFunction.ABORT_TASK_SET, luns[i], 0)
                .toCompletableFuture();
          }
          return CompletableFuture.allOf(aborts);
        });
  }

  /** The last connection left: the ordering lets go of what it held, the nexus ends. */
  private void end() {
    ordering.clear();
    service.ended(this);
    close();
  }

  /** Ends the core nexus, if any; idempotent as {@link Session#close()} is. */
  void close() {
    if (nexus != null) {
      nexus.close();
    }
  }

  String describe() {
    return (discovery() ? "discovery session" : "session to " + params.targetName) + " of "
        + params.initiatorName + " (ISID " + HexFormat.of().formatHex(isid) + ", TSIH " + tsih
        + ")";
  }
}
