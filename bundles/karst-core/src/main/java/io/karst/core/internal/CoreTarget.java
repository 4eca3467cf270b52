package io.karst.core.internal;

import io.karst.api.target.Target;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.regex.Pattern;

/**
 * A configured target: its attributes, its default LUN map and its initiator groups (LUN
 * masking). Management replaces them as a whole ({@link #update}); each state is immutable, so
 * the hot path and the driver read one consistent state without locks.
 */
final class CoreTarget implements Target {

  /** The LUNs of an initiator group, for initiators matching any of its patterns. */
  record Group(String name, List<Pattern> initiators, NavigableMap<Long, Lun> luns) {}

  /** What a target is at one time. */
  record State(boolean enabled, Map<String, String> attributes, NavigableMap<Long, Lun> luns,
      List<Group> groups) {}

  final String driver;
  private final String name;
  private volatile State state;

  CoreTarget(String driver, String name, State state) {
    this.driver = driver;
    this.name = name;
    this.state = state;
  }

  State state() {
    return state;
  }

  void update(State next) {
    state = next;
  }

  /**
   * An SCST initiator pattern: {@code *} any run of characters, {@code ?} one character, and a
   * leading {@code !} for every name the rest does not match.
   */
  static Pattern pattern(String glob) {
    if (glob.startsWith("!")) {
      return Pattern.compile("(?!(?:" + pattern(glob.substring(1)).pattern() + ")$).*",
          Pattern.CASE_INSENSITIVE);
    }
    StringBuilder re = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE);
  }

  /** The LUNs this initiator sees: its group's when one matches, else the target's own. */
  NavigableMap<Long, Lun> lunsFor(String initiator) {
    return lunsFor(state, initiator);
  }

  private static NavigableMap<Long, Lun> lunsFor(State s, String initiator) {
    for (Group g : s.groups()) {
      for (Pattern p : g.initiators()) {
        if (p.matcher(initiator).matches()) {
          return g.luns();
        }
      }
    }
    return s.luns();
  }

  NavigableMap<Long, Lun> defaultLuns() {
    return state.luns();
  }

  /** The relative target port identifier (SPC-4 3.1.120) of this target's port. */
  int relativePortId() {
    return Integer.parseInt(state.attributes().getOrDefault(Config.REL_TGT_ID, "0"));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean enabled() {
    return state.enabled();
  }

  @Override
  public Map<String, String> attributes() {
    return state.attributes();
  }

  @Override
  public boolean admits(String initiator) {
    State s = state;
    return s.enabled() && !lunsFor(s, initiator).isEmpty();
  }
}
