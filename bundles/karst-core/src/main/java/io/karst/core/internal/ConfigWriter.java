package io.karst.core.internal;

import io.karst.core.internal.Config.DeviceConf;
import io.karst.core.internal.Config.DeviceGroupConf;
import io.karst.core.internal.Config.DriverConf;
import io.karst.core.internal.Config.GroupConf;
import io.karst.core.internal.Config.HandlerConf;
import io.karst.core.internal.Config.LunConf;
import io.karst.core.internal.Config.TargetConf;
import io.karst.core.internal.Config.TargetGroupConf;
import io.karst.core.internal.Config.TargetPortConf;
import java.util.List;
import java.util.Map;

/**
 * Writes a configuration in scst.conf syntax, as scstadmin lays it out: one block per handler,
 * driver and device group, attributes before nested blocks, a blank line between blocks. It
 * writes what it is given; the engine decides which attributes that is (key ones or all), and
 * in what order, so that reading the text back gives the same configuration.
 */
final class ConfigWriter {

  private final StringBuilder out = new StringBuilder();

  private ConfigWriter() {}

  /**
   * The text of a configuration whose attribute maps hold, in order, the canonical values to
   * write (a multi-valued one's values separated by line feeds).
   */
  static String write(Config c) {
    ConfigWriter w = new ConfigWriter();
    w.out.append("# Karst configuration (scst.conf syntax). Karst writes this file after every\n"
        + "# change made through management and applies hand edits to it as they are saved.\n");
    for (HandlerConf h : c.handlers()) {
      if (h.devices().isEmpty()) {
        continue;
      }
      w.open(0, "HANDLER " + h.name());
      for (DeviceConf d : h.devices()) {
        w.block(1, "DEVICE " + d.name(), d.attributes(), () -> { });
      }
      w.close(0);
    }
    for (DriverConf d : c.drivers()) {
      w.open(0, "TARGET_DRIVER " + d.name());
      w.attributes(1, d.attributes());
      for (TargetConf t : d.targets()) {
        w.gap();
        w.block(1, "TARGET " + t.name(), t.attributes(), () -> {
          w.luns(2, t.luns(), !t.attributes().isEmpty());
          for (GroupConf g : t.groups()) {
            w.gap();
            w.open(2, "GROUP " + g.name());
            w.luns(3, g.luns(), false);
            if (!g.luns().isEmpty() && !g.initiators().isEmpty()) {
              w.gap();
            }
            g.initiators().forEach(i -> w.line(3, "INITIATOR " + word(i)));
            w.close(2);
          }
        });
      }
      w.close(0);
    }
    for (DeviceGroupConf g : c.deviceGroups()) {
      w.open(0, "DEVICE_GROUP " + g.name());
      g.devices().forEach(d -> w.line(1, "DEVICE " + d));
      for (TargetGroupConf t : g.targetGroups()) {
        w.gap();
        w.open(1, "TARGET_GROUP " + t.name());
        w.line(2, "group_id " + t.groupId());
        if (t.preferred()) {
          w.line(2, "preferred 1");
        }
        w.line(2, "state " + t.state().scstName);
        for (TargetPortConf p : t.targets()) {
          if (p.relTgtId() == 0) {
            w.line(2, "TARGET " + p.name());
          } else {
            w.open(2, "TARGET " + p.name());
            w.line(3, Config.REL_TGT_ID + " " + p.relTgtId());
            w.close(2);
          }
        }
        w.close(1);
      }
      w.close(0);
    }
    return w.out.toString();
  }

  private void luns(int depth, List<LunConf> luns, boolean gapBefore) {
    if (gapBefore && !luns.isEmpty()) {
      gap();
    }
    for (LunConf l : luns) {
      String head = "LUN " + l.lun() + " " + l.device();
      if (l.readOnly()) {
        open(depth, head);
        line(depth + 1, "read_only 1");
        close(depth);
      } else {
        line(depth, head);
      }
    }
  }

  /** A block with attributes and whatever {@code body} adds; just its head when empty. */
  private void block(int depth, String head, Map<String, Config.Value> attributes,
      Runnable body) {
    int mark = out.length();
    open(depth, head);
    int start = out.length();
    attributes(depth + 1, attributes);
    body.run();
    if (out.length() == start) {
      out.setLength(mark);
      line(depth, head);
    } else {
      close(depth);
    }
  }

  private void attributes(int depth, Map<String, Config.Value> attributes) {
    attributes.forEach((name, v) -> Config.texts(v).forEach(t -> line(depth, name + " "
        + word(t))));
  }

  private void open(int depth, String head) {
    if (depth == 0 && out.length() > 0) {
      out.append('\n');
    }
    line(depth, head + " {");
  }

  private void close(int depth) {
    line(depth, "}");
  }

  /** A blank line, unless the block has only just opened. */
  private void gap() {
    if (!out.toString().endsWith("{\n") && !out.toString().endsWith("\n\n")) {
      out.append('\n');
    }
  }

  private void line(int depth, String text) {
    out.append("\t".repeat(depth)).append(text).append('\n');
  }

  /**
   * A value as the parser reads it back: quoted when it holds blanks or braces or is empty;
   * backslash before a quote, a backslash and a hash sign.
   */
  static String word(String value) {
    StringBuilder b = new StringBuilder();
    boolean quote = value.isEmpty();
    for (char c : value.toCharArray()) {
      if (c == '"' || c == '\\' || c == '#') {
        b.append('\\');
      }
      quote |= Character.isWhitespace(c) || c == '{' || c == '}';
      b.append(c);
    }
    return quote ? "\"" + b + "\"" : b.toString();
  }
}
