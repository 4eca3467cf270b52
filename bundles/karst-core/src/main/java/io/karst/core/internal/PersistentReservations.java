package io.karst.core.internal;

import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import io.karst.core.internal.PrState.Registration;
import io.karst.core.internal.PrState.Snapshot;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * PERSISTENT RESERVE IN and OUT (SPC-4 5.13, 6.15, 6.16), and which commands a persistent
 * reservation keeps out (SPC-4 table 62 "SPC commands that are allowed in the presence of
 * various reservations", SBC-3 table 13). The state itself is {@link PrState}'s.
 */
final class PersistentReservations {

  static final int PERSISTENT_RESERVE_IN = 0x5E;
  static final int PERSISTENT_RESERVE_OUT = 0x5F;

  private static final int READ_KEYS = 0x00;
  private static final int READ_RESERVATION = 0x01;
  private static final int REPORT_CAPABILITIES = 0x02;
  private static final int READ_FULL_STATUS = 0x03;

  private static final int REGISTER = 0x00;
  private static final int RESERVE = 0x01;
  private static final int RELEASE = 0x02;
  private static final int CLEAR = 0x03;
  private static final int PREEMPT = 0x04;
  private static final int PREEMPT_AND_ABORT = 0x05;
  private static final int REGISTER_AND_IGNORE_EXISTING_KEY = 0x06;
  private static final int REGISTER_AND_MOVE = 0x07;

  private static final int LOG_SENSE = 0x4D;
  private static final int RECEIVE_DIAGNOSTIC_RESULTS = 0x1C;
  private static final int READ_BUFFER = 0x3C;
  /** The basic PERSISTENT RESERVE OUT parameter list (SPC-4 6.16.3). */
  private static final int BASIC_LENGTH = 24;
  /** More than any SPEC_I_PT list of real initiators; a longer one is a length error. */
  private static final int MAX_PARAMETER_LIST = 1 << 20;

  private PersistentReservations() {}

  /** Whether the device's persistent reservation keeps this command of this nexus out. */
  static boolean conflicts(CoreTask task, Device device, int opcode) {
    Snapshot s = device.pr.snapshot();
    byte[] cdb = task.cdb();
    if (s.type() == 0 || allowed(cdb, opcode) || s.holds(task.session)) {
      return false;
    }
    boolean registered = s.registrationOf(task.session) != null;
    return switch (s.type()) {
      case PrState.WRITE_EXCLUSIVE -> !reads(cdb, opcode);
      case PrState.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, PrState.WRITE_EXCLUSIVE_ALL_REGISTRANTS ->
          !registered && !reads(cdb, opcode);
      case PrState.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY, PrState.EXCLUSIVE_ACCESS_ALL_REGISTRANTS ->
          !registered;
      default -> true;
    };
  }

  /**
   * The commands every nexus may send whatever the reservation. PERSISTENT RESERVE OUT
   * applies its own rules; RESERVE and RELEASE conflict by SPC-4 5.13.3. RECEIVE COPY RESULTS
   * only reports on the nexus's own copies, which met the reservations as they ran.
   */
  private static boolean allowed(byte[] cdb, int opcode) {
    return switch (opcode) {
      case Spc.INQUIRY, Spc.REPORT_LUNS, Spc.REQUEST_SENSE, Spc.TEST_UNIT_READY, LOG_SENSE,
          PERSISTENT_RESERVE_IN, PERSISTENT_RESERVE_OUT, SupportedOperations.MAINTENANCE_IN,
          Sbc.READ_CAPACITY_10, CopyResults.RECEIVE_COPY_RESULTS -> true;
      case Sbc.SERVICE_ACTION_IN_16 -> (cdb[1] & 0x1F) == Sbc.READ_CAPACITY_16;
      // Allowing removal is always allowed; preventing it is not (SPC-4 table 62).
      case Spc.PREVENT_ALLOW_MEDIUM_REMOVAL -> cdb.length > 4 && (cdb[4] & 0x03) == 0;
      default -> false;
    };
  }

  /** Commands that only read, which Write Exclusive reservations let everyone send. */
  private static boolean reads(byte[] cdb, int opcode) {
    return switch (opcode) {
      case Sbc.READ_6, Sbc.READ_10, Sbc.READ_12, Sbc.READ_16, Sbc.VERIFY_10, Sbc.VERIFY_12,
          Sbc.VERIFY_16, Sbc.PRE_FETCH_10, Sbc.PRE_FETCH_16, ModePages.MODE_SENSE_6,
          ModePages.MODE_SENSE_10, LbaStatus.READ_DEFECT_DATA_10, LbaStatus.READ_DEFECT_DATA_12,
          READ_BUFFER, RECEIVE_DIAGNOSTIC_RESULTS -> true;
      case Sbc.SERVICE_ACTION_IN_16 -> (cdb[1] & 0x1F) == LbaStatus.GET_LBA_STATUS;
      default -> false;
    };
  }

  static void reserveIn(CoreTask task, Device device) throws SenseException {
    byte[] cdb = task.cdb();
    Snapshot s = device.pr.snapshot();
    byte[] data = switch (cdb[1] & 0x1F) {
      case READ_KEYS -> readKeys(s);
      case READ_RESERVATION -> readReservation(s);
      case REPORT_CAPABILITIES -> capabilities(s);
      case READ_FULL_STATUS -> fullStatus(s, device.pr);
      default -> throw Cdb.invalidField(1, 4);
    };
    // The lengths inside say how much there is, whatever the allocation length cuts off.
    task.respond(data, Cdb.u16(cdb, 7));
  }

  private static byte[] readKeys(Snapshot s) {
    ByteBuffer b = ByteBuffer.allocate(8 + 8 * s.registrations().size());
    b.putInt(s.generation()).putInt(8 * s.registrations().size());
    s.registrations().forEach(r -> b.putLong(r.key()));
    return b.array();
  }

  private static byte[] readReservation(Snapshot s) {
    if (s.type() == 0) {
      return ByteBuffer.allocate(8).putInt(s.generation()).putInt(0).array();
    }
    ByteBuffer b = ByteBuffer.allocate(24);
    b.putInt(s.generation()).putInt(16).putLong(s.holderKey());
    b.put(21, (byte) s.type()); // scope 0: logical unit
    return b.array();
  }

  private static byte[] capabilities(Snapshot s) {
    byte[] b = new byte[8];
    b[1] = 8;
    // CRH (RESERVE and RELEASE conflict with registrations), SIP_C, ATP_C, PTPL_C.
    b[2] = 0x10 | 0x08 | 0x04 | 0x01;
    // TMV, ALLOW COMMANDS 001b (TEST UNIT READY is allowed through every type), PTPL_A.
    b[3] = (byte) (0x80 | 0x10 | (s.aptpl() ? 0x01 : 0));
    // WR_EX_AR, EX_AC_RO, WR_EX_RO, EX_AC, WR_EX; then EX_AC_AR.
    b[4] = (byte) 0xEA;
    b[5] = 0x01;
    return b;
  }

  private static byte[] fullStatus(Snapshot s, PrState pr) {
    ByteArrayOutputStream descriptors = new ByteArrayOutputStream();
    for (Registration r : s.registrations()) {
      byte[] id = r.initiator().encode();
      boolean holder = s.isHolder(r);
      ByteBuffer d = ByteBuffer.allocate(24);
      d.putLong(r.key());
      d.put(12, (byte) ((r.target() == null ? 0x02 : 0) | (holder ? 0x01 : 0)));
      d.put(13, (byte) (holder ? s.type() : 0));
      d.putShort(18, (short) pr.relativePort(r.target()));
      d.putInt(20, id.length);
      descriptors.writeBytes(d.array());
      descriptors.writeBytes(id);
    }
    byte[] body = descriptors.toByteArray();
    return ByteBuffer.allocate(8 + body.length).putInt(s.generation()).putInt(body.length)
        .put(body).array();
  }

  static void reserveOut(CoreTask task, Device device) throws SenseException {
    byte[] cdb = task.cdb();
    int action = cdb[1] & 0x1F;
    if (action > REGISTER_AND_MOVE) {
      throw Cdb.invalidField(1, 4);
    }
    int type = cdb[2] & 0x0F;
    boolean typed = action == RESERVE || action == RELEASE || action == PREEMPT
        || action == PREEMPT_AND_ABORT;
    if (typed && (cdb[2] & 0xF0) != 0) {
      throw Cdb.invalidField(2, 7);
    }
    if (typed && !validType(type)) {
      throw Cdb.invalidField(2, 3);
    }
    long length = Cdb.u32(cdb, 5);
    if (length < BASIC_LENGTH || length > MAX_PARAMETER_LIST) {
      throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
    }
    int n = (int) length;
    task.receive(n, data -> {
      try {
        if (data.remaining() < n) {
          throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
        }
        if (action == REGISTER_AND_MOVE) {
          move(task, device, data, n);
        } else {
          execute(task, device, action, type, data, n);
        }
      } catch (SenseException e) {
        task.fail(e.sense());
      }
    });
  }

  private static boolean validType(int type) {
    return type == PrState.WRITE_EXCLUSIVE || type == PrState.EXCLUSIVE_ACCESS
        || type >= PrState.WRITE_EXCLUSIVE_REGISTRANTS_ONLY
        && type <= PrState.EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
  }

  private static void execute(CoreTask task, Device device, int action, int type,
      ByteBuffer data, int length) throws SenseException {
    long key = data.getLong(0);
    long serviceActionKey = data.getLong(8);
    int flags = data.get(20);
    boolean specifiedPorts = (flags & 0x08) != 0;
    boolean allTargetPorts = (flags & 0x04) != 0;
    boolean aptpl = (flags & 0x01) != 0;
    if (specifiedPorts && action != REGISTER) {
      throw new SenseException(Sense.INVALID_FIELD_IN_PARAMETER_LIST
          .withFieldPointer(false, 20, 3));
    }
    if (!specifiedPorts && length != BASIC_LENGTH) {
      throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
    }
    List<TransportId> others = specifiedPorts ? transportIds(data, length) : List.of();
    PrState pr = device.pr;
    CoreSession s = task.session;
    List<Registration> preempted = List.of();
    boolean done;
    Snapshot before;
    Snapshot after;
    // PrState's lock, held across the action, makes before and after its own states.
    synchronized (pr) {
      before = pr.snapshot();
      done = switch (action) {
        case REGISTER -> pr.register(s, key, serviceActionKey, allTargetPorts, others, aptpl);
        case REGISTER_AND_IGNORE_EXISTING_KEY ->
            pr.register(s, null, serviceActionKey, allTargetPorts, others, aptpl);
        case RESERVE -> pr.reserve(s, key, type);
        case RELEASE -> pr.release(s, key, type);
        case CLEAR -> pr.clear(s, key);
        default -> {
          preempted = pr.preempt(s, key, serviceActionKey, type);
          yield preempted != null;
        }
      };
      after = pr.snapshot();
    }
    if (done) {
      tell(task.session, device, action, before, after, preempted);
    }
    if (!done) {
      task.conflict();
    } else if (action == PREEMPT_AND_ABORT && !preempted.isEmpty()) {
      abortPreempted(task, device, preempted);
    } else {
      task.good();
    }
  }

  /**
   * The unit attentions a service action owes the other registered nexuses:
   * <ul>
   *   <li>CLEAR: RESERVATIONS PREEMPTED to every other nexus registered before
   *       (SPC-4 5.13.11.6);</li>
   *   <li>PREEMPT, PREEMPT AND ABORT: REGISTRATIONS PREEMPTED to the nexuses whose
   *       registrations went, and RESERVATIONS RELEASED to the others still registered when the
   *       type of the reservation changed (SPC-4 5.13.11.4.3);</li>
   *   <li>RELEASE, and an unregistration that ends it (REGISTER with key 0): the end of a
   *       registrants only or all registrants reservation gives RESERVATIONS RELEASED to every
   *       other nexus still registered (SPC-4 5.13.11.2, 5.13.11.3).</li>
   * </ul>
   * A nexus is one of the device's {@linkplain Device#nexuses nexuses} that a registration
   * covers; the nexus that sent the command is never told.
   */
  private static void tell(CoreSession self, Device device, int action, Snapshot before,
      Snapshot after, List<Registration> preempted) {
    boolean shared = before.type() == PrState.WRITE_EXCLUSIVE_REGISTRANTS_ONLY
        || before.type() == PrState.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY || before.allRegistrants();
    switch (action) {
      case CLEAR -> tell(self, device, before.registrations(),
          UnitAttention.RESERVATIONS_PREEMPTED);
      case PREEMPT, PREEMPT_AND_ABORT -> {
        tell(self, device, preempted, UnitAttention.REGISTRATIONS_PREEMPTED);
        if (before.type() != 0 && after.type() != before.type()) {
          tell(self, device, after.registrations(), UnitAttention.RESERVATIONS_RELEASED);
        }
      }
      case RELEASE, REGISTER, REGISTER_AND_IGNORE_EXISTING_KEY -> {
        if (shared && after.type() == 0) {
          tell(self, device, after.registrations(), UnitAttention.RESERVATIONS_RELEASED);
        }
      }
      default -> { }
    }
  }

  private static void tell(CoreSession self, Device device, List<Registration> registrations,
      Sense condition) {
    if (registrations.isEmpty()) {
      return;
    }
    for (CoreSession n : device.nexuses) {
      if (n != self && registrations.stream().anyMatch(r -> r.of(n))) {
        UnitAttention.raise(n, device, condition);
      }
    }
  }

  /** The TransportIDs of a SPEC_I_PT list (SPC-4 table 170), which must fill it exactly. */
  private static List<TransportId> transportIds(ByteBuffer data, int length)
      throws SenseException {
    if (length < BASIC_LENGTH + 4 || BASIC_LENGTH + 4 + data.getInt(BASIC_LENGTH) != length) {
      throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
    }
    ByteBuffer ids = data.duplicate().position(BASIC_LENGTH + 4).limit(length).slice();
    List<TransportId> out = new ArrayList<>();
    while (ids.hasRemaining()) {
      out.add(TransportId.read(ids));
    }
    return out;
  }

  /**
   * PREEMPT AND ABORT (SPC-4 5.13.11.4.4): the tasks of the preempted nexuses on this logical
   * unit are aborted, and the command completes once none of them can touch the medium.
   */
  private static void abortPreempted(CoreTask task, Device device, List<Registration> gone) {
    List<CoreTask> victims = device.tasks.stream()
        .filter(t -> t.session != task.session && gone.stream().anyMatch(r -> r.of(t.session)))
        .toList();
    TaskManagement.abort(victims, task.session).thenRun(task::good);
  }

  /** REGISTER AND MOVE (SPC-4 6.16.4): the parameter list names the destination nexus. */
  private static void move(CoreTask task, Device device, ByteBuffer data, int length)
      throws SenseException {
    int idLength = data.getInt(20);
    if (BASIC_LENGTH + (long) idLength != length) {
      throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
    }
    boolean unregister = (data.get(17) & 0x02) != 0;
    boolean aptpl = (data.get(17) & 0x01) != 0;
    String target = device.pr.target(data.getShort(18) & 0xFFFF);
    if (target == null) {
      throw new SenseException(Sense.INVALID_FIELD_IN_PARAMETER_LIST
          .withFieldPointer(false, 18, -1));
    }
    ByteBuffer ids = data.duplicate().position(BASIC_LENGTH).limit(length).slice();
    TransportId destination = TransportId.read(ids);
    if (ids.hasRemaining()) {
      throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
    }
    if (device.pr.move(task.session, data.getLong(0), data.getLong(8), destination, target,
        unregister, aptpl)) {
      task.good();
    } else {
      task.conflict();
    }
  }
}
