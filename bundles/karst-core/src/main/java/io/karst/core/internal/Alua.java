package io.karst.core.internal;

import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.SenseKey;
import io.karst.core.internal.Config.DeviceGroupConf;
import io.karst.core.internal.Config.TargetGroupConf;
import io.karst.core.internal.Config.TargetPortConf;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Asymmetric logical unit access (SPC-4 5.16), as SCST configures it: a device group holds
 * devices and target port groups, each target port group a state and the targets (ports) in
 * it. A command reaching a device through a target in a group is accepted or refused by that
 * group's state; REPORT TARGET PORT GROUPS tells initiators the states, SET TARGET PORT GROUPS
 * changes them (explicit ALUA), and an administrator changes them through management (implicit).
 */
final class Alua {

  static final int MAINTENANCE_OUT = 0xA4;
  static final int REPORT_TARGET_PORT_GROUPS = 0x0A;
  static final int SET_TARGET_PORT_GROUPS = 0x0A;
  /** TPGS in standard INQUIRY data: implicit and explicit asymmetric access (SPC-4 6.6.2). */
  static final int TPGS_IMPLICIT_AND_EXPLICIT = 0x30;
  /** The states a group may take: T_SUP, O_SUP, U_SUP, S_SUP, AN_SUP, AO_SUP (no LBD_SUP). */
  private static final int SUPPORTED_STATES = 0xCF;
  /** RTPG status codes (SPC-4 6.36.2). */
  static final int ALTERED_BY_SET_TARGET_PORT_GROUPS = 0x01;
  static final int ALTERED_IMPLICITLY = 0x02;

  /** The asymmetric access states (SPC-4 table 307), under SCST's names. */
  enum State {
    ACTIVE(0x0, "active"),
    NONOPTIMIZED(0x1, "nonoptimized"),
    STANDBY(0x2, "standby"),
    UNAVAILABLE(0x3, "unavailable"),
    OFFLINE(0xE, "offline"),
    TRANSITIONING(0xF, "transitioning");

    final int code;
    final String scstName;

    State(int code, String scstName) {
      this.code = code;
      this.scstName = scstName;
    }

    static Optional<State> named(String name) {
      return Stream.of(values()).filter(s -> s.scstName.equals(name.toLowerCase(Locale.ROOT)))
          .findFirst();
    }

    static String names() {
      return Stream.of(values()).map(s -> s.scstName).collect(Collectors.joining(", "));
    }
  }

  /** A target port: a target's name and its relative target port identifier. */
  record Port(String target, int relativeId) {}

  /** A target port group at run time; its state changes without rebuilding anything. */
  static final class PortGroup {
    final String name;
    final int id;
    final boolean preferred;
    final List<Port> ports;
    private volatile State state;
    private volatile int status;

    PortGroup(String name, int id, State state, boolean preferred, List<Port> ports) {
      this.name = name;
      this.id = id;
      this.state = state;
      this.preferred = preferred;
      this.ports = ports;
    }

    State state() {
      return state;
    }

    int status() {
      return status;
    }

    /** Takes a state; true when it differs from the one before. */
    synchronized boolean transition(State to, int why) {
      State before = state;
      state = to;
      status = why;
      return before != to;
    }
  }

  /**
   * A device group at run time: its devices by name, those of them configured ({@code
   * members}), and its target port groups.
   */
  record DeviceGroup(String name, List<String> devices, List<Device> members,
      List<PortGroup> groups) {
    Optional<PortGroup> group(int id) {
      return groups.stream().filter(g -> g.id == id).findFirst();
    }
  }

  /** Where a LUN stands: its device's group, and the target port group it is reached through. */
  record Access(DeviceGroup deviceGroup, PortGroup portGroup) {}

  /** The device groups of a configuration, by device. */
  static final class Model {
    private final List<DeviceGroup> groups;
    private final Map<String, DeviceGroup> byDevice = new HashMap<>();

    Model(List<DeviceGroupConf> conf, Map<String, Integer> relativeIds,
        Map<String, Device> devices) {
      List<DeviceGroup> list = new ArrayList<>();
      for (DeviceGroupConf d : conf) {
        List<PortGroup> ports = new ArrayList<>();
        for (TargetGroupConf t : d.targetGroups()) {
          List<Port> members = new ArrayList<>();
          for (TargetPortConf p : t.targets()) {
            int id = p.relTgtId() != 0 ? p.relTgtId() : relativeIds.getOrDefault(p.name(), 0);
            members.add(new Port(p.name(), id));
          }
          ports.add(new PortGroup(t.name(), t.groupId(), t.state(), t.preferred(),
              List.copyOf(members)));
        }
        List<Device> members = d.devices().stream().map(devices::get)
            .filter(java.util.Objects::nonNull).toList();
        DeviceGroup g = new DeviceGroup(d.name(), d.devices(), members, List.copyOf(ports));
        list.add(g);
        d.devices().forEach(device -> byDevice.put(device, g));
      }
      groups = List.copyOf(list);
    }

    List<DeviceGroup> groups() {
      return groups;
    }

    /** How a device is reached through a target, or null when ALUA does not apply to it. */
    Access access(String device, String target) {
      DeviceGroup d = byDevice.get(device);
      if (d == null) {
        return null;
      }
      for (PortGroup p : d.groups()) {
        for (Port port : p.ports) {
          if (port.target().equals(target)) {
            return new Access(d, p);
          }
        }
      }
      return null;
    }
  }

  private Alua() {}

  /**
   * Refuses a command that the state of the LUN's target port group does not allow
   * (SPC-4 5.16.2.4): NOT READY with the state's additional sense; active states allow all.
   */
  static void check(Lun lun, byte[] cdb) throws SenseException {
    Access a = lun.alua();
    if (a == null) {
      return;
    }
    State state = a.portGroup().state();
    if (state == State.ACTIVE || state == State.NONOPTIMIZED || allowed(state, cdb)) {
      return;
    }
    int ascq = switch (state) {
      case STANDBY -> 0x0B;
      case UNAVAILABLE -> 0x0C;
      case OFFLINE -> 0x12;
      default -> 0x0A;
    };
    throw new SenseException(new Sense(SenseKey.NOT_READY, 0x04, ascq));
  }

  private static boolean allowed(State state, byte[] cdb) {
    int opcode = Cdb.u8(cdb, 0);
    int action = cdb.length > 1 ? cdb[1] & 0x1F : 0;
    // Every state lets an initiator find out where it stands and what to do.
    switch (opcode) {
      case Spc.INQUIRY, Spc.REPORT_LUNS, Spc.REQUEST_SENSE, 0x3B, 0x3C: // READ/WRITE BUFFER
        return true;
      case SupportedOperations.MAINTENANCE_IN:
        return action == REPORT_TARGET_PORT_GROUPS;
      case MAINTENANCE_OUT:
        return action == SET_TARGET_PORT_GROUPS && state != State.TRANSITIONING;
      default:
        break;
    }
    if (state != State.STANDBY) {
      return false;
    }
    return switch (opcode) {
      case 0x4C, 0x4D, // LOG SELECT, LOG SENSE
          ModePages.MODE_SELECT_6, ModePages.MODE_SELECT_10, ModePages.MODE_SENSE_6,
          ModePages.MODE_SENSE_10,
          0x1C, 0x1D, // RECEIVE DIAGNOSTIC RESULTS, SEND DIAGNOSTIC
          0x25, // READ CAPACITY (10)
          PersistentReservations.PERSISTENT_RESERVE_IN,
          PersistentReservations.PERSISTENT_RESERVE_OUT -> true;
      case 0x9E -> action == 0x10; // READ CAPACITY (16)
      default -> false;
    };
  }

  /** REPORT TARGET PORT GROUPS (SPC-4 6.36): every group of the device's device group. */
  static void reportTargetPortGroups(CoreTask task, Lun lun) throws SenseException {
    byte[] cdb = task.cdb();
    Access a = lun.alua();
    if (a == null) {
      throw Cdb.invalidField(1, 4);
    }
    int format = (cdb[1] >> 5) & 0x07;
    if (format > 1) {
      throw Cdb.invalidField(1, 7);
    }
    long allocation = Cdb.u32(cdb, 6);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (PortGroup g : a.deviceGroup().groups()) {
      ByteBuffer d = ByteBuffer.allocate(8 + 4 * g.ports.size());
      d.put((byte) ((g.preferred ? 0x80 : 0) | g.state().code));
      d.put((byte) SUPPORTED_STATES);
      d.putShort((short) g.id);
      d.put((byte) 0);
      d.put((byte) g.status());
      d.put((byte) 0);
      d.put((byte) g.ports.size());
      for (Port p : g.ports) {
        d.putShort((short) 0).putShort((short) p.relativeId());
      }
      body.writeBytes(d.array());
    }
    int header = format == 1 ? 8 : 4;
    ByteBuffer out = ByteBuffer.allocate(header + body.size());
    out.putInt(header - 4 + body.size());
    if (format == 1) {
      out.put((byte) 0x10).put((byte) 0).putShort((short) 0); // format type 1, no transition time
    }
    out.put(body.toByteArray());
    task.respond(out.array(), (int) Math.min(allocation, Integer.MAX_VALUE));
  }

  /**
   * SET TARGET PORT GROUPS (SPC-4 6.51): each descriptor names a group of the device's device
   * group and a primary state to take; all are checked before any changes.
   */
  static void setTargetPortGroups(CoreTask task, Lun lun) throws SenseException {
    byte[] cdb = task.cdb();
    Access a = lun.alua();
    if (a == null || (cdb[1] & 0x1F) != SET_TARGET_PORT_GROUPS) {
      throw Cdb.invalidField(1, 4);
    }
    long length = Cdb.u32(cdb, 6);
    if (length == 0) {
      task.good();
      return;
    }
    if (length < 4 || length % 4 != 0 || length > 4 + 4L * 65536) {
      throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
    }
    task.receive((int) length, data -> {
      try {
        if (data.remaining() < length) {
          throw new SenseException(Sense.PARAMETER_LIST_LENGTH_ERROR);
        }
        Map<PortGroup, State> changes = new java.util.LinkedHashMap<>();
        for (int descriptor = 4; descriptor + 4 <= length; descriptor += 4) {
          int at = descriptor;
          State to = switch (data.get(at) & 0x0F) {
            case 0x0 -> State.ACTIVE;
            case 0x1 -> State.NONOPTIMIZED;
            case 0x2 -> State.STANDBY;
            case 0x3 -> State.UNAVAILABLE;
            default -> throw Cdb.invalidParameter(at, 3);
          };
          int id = data.getShort(at + 2) & 0xFFFF;
          PortGroup g = a.deviceGroup().group(id)
              .orElseThrow(() -> Cdb.invalidParameter(at + 2, -1));
          changes.put(g, to);
        }
        boolean changed = false;
        for (var c : changes.entrySet()) {
          changed |= c.getKey().transition(c.getValue(), ALTERED_BY_SET_TARGET_PORT_GROUPS);
        }
        if (changed) {
          changed(a.deviceGroup(), task.session);
        }
        task.good();
      } catch (SenseException e) {
        task.fail(e.sense());
      }
    });
  }

  /**
   * Tells initiators that target port group states of a device group changed (SPC-4
   * 5.16.2.3): ASYMMETRIC ACCESS STATE CHANGED on every nexus reaching one of its devices,
   * except {@code except}, the nexus whose SET TARGET PORT GROUPS made the change (null: none).
   */
  static void changed(DeviceGroup group, CoreSession except) {
    for (Device d : group.members()) {
      UnitAttention.raise(d, UnitAttention.ASYMMETRIC_ACCESS_STATE_CHANGED, except);
    }
  }

  /**
   * The VPD 83h designators of the target port a LUN is reached through (SPC-4 7.8.6): its
   * relative target port identifier and, under ALUA, its target port group.
   */
  static byte[] portDesignators(int relativePortId, Lun lun) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (relativePortId > 0) {
      out.writeBytes(new byte[] {0x01, 0x14, 0, 4, 0, 0,
          (byte) (relativePortId >> 8), (byte) relativePortId});
    }
    if (lun.alua() != null) {
      int id = lun.alua().portGroup().id;
      out.writeBytes(new byte[] {0x01, 0x15, 0, 4, 0, 0, (byte) (id >> 8), (byte) id});
    }
    return out.toByteArray();
  }
}
