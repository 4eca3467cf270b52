package io.karst.core.internal;

import io.karst.api.target.Target;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.regex.Pattern;

/**
 * A configured target: its attributes, its default LUN map and its initiator groups (LUN
 * masking). Immutable, so the hot path reads LUN maps without locks.
 */
final class CoreTarget implements Target {

  /** The LUNs of an initiator group, for initiators matching any of its patterns. */
  record Group(String name, List<Pattern> initiators, NavigableMap<Long, Lun> luns) {}

  final String driver;
  private final String name;
  private final boolean enabled;
  private final Map<String, String> attributes;
  private final NavigableMap<Long, Lun> luns;
  private final List<Group> groups;

  CoreTarget(String driver, String name, boolean enabled, Map<String, String> attributes,
      NavigableMap<Long, Lun> luns, List<Group> groups) {
    this.driver = driver;
    this.name = name;
    this.enabled = enabled;
    this.attributes = attributes;
    this.luns = luns;
    this.groups = groups;
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
    for (Group g : groups) {
      for (Pattern p : g.initiators()) {
        if (p.matcher(initiator).matches()) {
          return g.luns();
        }
      }
    }
    return luns;
  }

  NavigableMap<Long, Lun> defaultLuns() {
    return luns;
  }

  /** The relative target port identifier (SPC-4 3.1.120) of this target's port. */
  int relativePortId() {
    return Integer.parseInt(attributes.getOrDefault(Config.REL_TGT_ID, "0"));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean enabled() {
    return enabled;
  }

  @Override
  public Map<String, String> attributes() {
    return attributes;
  }

  @Override
  public boolean admits(String initiator) {
    return enabled && !lunsFor(initiator).isEmpty();
  }
}
