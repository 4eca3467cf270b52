package io.karst.core.internal;

import io.karst.core.internal.Config.DeviceConf;
import io.karst.core.internal.Config.DeviceGroupConf;
import io.karst.core.internal.Config.DriverConf;
import io.karst.core.internal.Config.GroupConf;
import io.karst.core.internal.Config.LunConf;
import io.karst.core.internal.Config.TargetConf;
import io.karst.core.internal.Config.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The difference of two configurations, as far as it needs no running system: the plan's
 * steps in SCST's order, the LUN, group and ALUA differences, and what a text applied without
 * force leaves out and so keeps. {@link Engine} adds what depends on the registered handlers
 * and drivers and carries the plan out.
 */
final class ConfigDiff {

  private ConfigDiff() {}

  /** The steps of a plan in SCST's order; removals after, in the reverse order. */
  static final class Plan {
    static final int DEVICES = 0;
    static final int TARGETS = 1;
    static final int LUNS = 2;
    static final int GROUPS = 3;
    static final int INITIATORS = 4;
    static final int ALUA = 5;
    static final int ENABLE_TARGETS = 6;
    static final int ENABLE_DRIVERS = 7;
    private final List<List<String>> adds = new ArrayList<>();
    private final List<List<String>> removals = new ArrayList<>();

    Plan() {
      for (int i = 0; i <= ENABLE_DRIVERS; i++) {
        adds.add(new ArrayList<>());
        removals.add(new ArrayList<>());
      }
    }

    void add(int phase, String step) {
      adds.get(phase).add(step);
    }

    void remove(int phase, String step) {
      removals.get(phase).add(step);
    }

    List<String> steps() {
      List<String> out = new ArrayList<>();
      adds.forEach(out::addAll);
      for (int i = removals.size() - 1; i >= 0; i--) {
        out.addAll(removals.get(i));
      }
      return List.copyOf(out);
    }
  }

  static void lunDiff(Plan plan, String where, List<LunConf> was, List<LunConf> now) {
    Map<Long, LunConf> before = new java.util.HashMap<>();
    was.forEach(l -> before.put(l.lun(), l));
    for (LunConf l : now) {
      LunConf o = before.get(l.lun());
      String lun = "LUN " + l.lun() + " " + l.device() + (l.readOnly() ? " read_only" : "");
      if (o == null) {
        plan.add(Plan.LUNS, "add " + lun + " to " + where);
      } else if (!o.device().equals(l.device()) || o.readOnly() != l.readOnly()) {
        plan.add(Plan.LUNS, "replace " + lun + " in " + where);
      }
    }
    for (LunConf o : was) {
      if (now.stream().noneMatch(l -> l.lun() == o.lun())) {
        plan.remove(Plan.LUNS, "remove LUN " + o.lun() + " from " + where);
      }
    }
  }

  static void groupDiff(Plan plan, String target, GroupConf was, GroupConf now) {
    String where = "group " + now.name() + " of " + target;
    if (was == null) {
      plan.add(Plan.GROUPS, "create " + where);
    }
    lunDiff(plan, where, was == null ? List.of() : was.luns(), now.luns());
    List<String> before = was == null ? List.of() : was.initiators();
    now.initiators().stream().filter(i -> !before.contains(i))
        .forEach(i -> plan.add(Plan.INITIATORS, "add initiator " + i + " to " + where));
    before.stream().filter(i -> !now.initiators().contains(i))
        .forEach(i -> plan.remove(Plan.INITIATORS, "remove initiator " + i + " from " + where));
  }

  /** The device groups without their states, which change without rebuilding. */
  static List<String> aluaShape(Config c) {
    return c.deviceGroups().stream().map(g -> g.name() + g.devices() + g.targetGroups().stream()
        .map(t -> t.name() + "/" + t.groupId() + "/" + t.preferred() + t.targets().stream()
            .map(p -> p.name() + ":" + p.relTgtId()).toList()).toList()
        + c.relativeTargetPortIds()).toList();
  }

  /**
   * The proposed configuration with what it leaves out of the running one put back: devices,
   * drivers, targets, LUNs, groups, initiators and device groups, each reported.
   */
  static Config keepMissing(Config p, Config old, String src, List<String> notApplied) {
    String kept = " is not in " + src + "; kept (apply with force to remove it)";
    Config out = p;
    for (var h : old.handlers()) {
      for (DeviceConf d : h.devices()) {
        if (p.device(d.name()).isEmpty()) {
          out = out.withDevice(d);
          notApplied.add("device " + d.name() + kept);
        }
      }
    }
    for (DriverConf d : old.drivers()) {
      DriverConf merged = out.driver(d.name()).orElse(null);
      if (merged == null) {
        out = out.withDriver(d);
        notApplied.add("TARGET_DRIVER " + d.name() + kept);
        continue;
      }
      for (TargetConf t : d.targets()) {
        String where = "target " + d.name() + "/" + t.name();
        TargetConf mt = merged.targets().stream().filter(x -> x.name().equals(t.name()))
            .findFirst().orElse(null);
        if (mt == null) {
          merged = merged.withTarget(t.name(), t);
          notApplied.add(where + kept);
          continue;
        }
        mt = mt.withLuns(keptLuns(t.luns(), mt.luns(), where, kept, notApplied));
        for (GroupConf g : t.groups()) {
          String group = "group " + g.name() + " of " + where;
          GroupConf mg = mt.groups().stream().filter(x -> x.name().equals(g.name()))
              .findFirst().orElse(null);
          if (mg == null) {
            mt = mt.withGroup(g.name(), g);
            notApplied.add(group + kept);
            continue;
          }
          List<String> initiators = new ArrayList<>(mg.initiators());
          for (String i : g.initiators()) {
            TargetConf in = mt;
            if (!initiators.contains(i) && in.groups().stream()
                .noneMatch(x -> x.initiators().contains(i))) {
              initiators.add(i);
              notApplied.add("initiator " + i + " of " + group + kept);
            }
          }
          mt = mt.withGroup(g.name(), mg.withLuns(keptLuns(g.luns(), mg.luns(), group, kept,
              notApplied)).withInitiators(initiators));
        }
        merged = merged.withTarget(t.name(), mt);
      }
      out = out.withDriver(merged);
    }
    List<DeviceGroupConf> groups = new ArrayList<>(out.deviceGroups());
    for (DeviceGroupConf g : old.deviceGroups()) {
      if (groups.stream().noneMatch(x -> x.name().equals(g.name()))) {
        groups.add(g);
        notApplied.add("device group " + g.name() + kept);
      }
    }
    return out.withDeviceGroups(groups);
  }

  static List<LunConf> keptLuns(List<LunConf> was, List<LunConf> now, String where,
      String kept, List<String> notApplied) {
    List<LunConf> out = new ArrayList<>(now);
    for (LunConf l : was) {
      if (now.stream().noneMatch(x -> x.lun() == l.lun())) {
        out.add(l);
        notApplied.add("LUN " + l.lun() + " of " + where + kept);
      }
    }
    out.sort(java.util.Comparator.comparingLong(LunConf::lun));
    return out;
  }

  static Map<String, List<String>> texts(Map<String, Value> attributes) {
    Map<String, List<String>> out = new java.util.HashMap<>();
    attributes.forEach((k, v) -> out.put(k, Config.texts(v)));
    return out;
  }

  static Map<String, String> without(Map<String, String> attributes, String name) {
    Map<String, String> out = new java.util.HashMap<>(attributes);
    out.remove(name);
    return out;
  }
}
