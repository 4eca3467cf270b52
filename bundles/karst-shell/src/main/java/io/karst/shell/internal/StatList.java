package io.karst.shell.internal;

import io.karst.api.mgmt.Management.StageLatency;
import io.karst.api.mgmt.Management.StatisticsInfo;
import java.util.Locale;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * {@code karst:stat-list}: the I/O counters of every device and session; with
 * {@code --latency}, their latency by stage in microseconds instead.
 */
@Service
@Command(scope = "karst", name = "stat-list",
    description = "Lists I/O counters of devices and sessions, or their latency by stage")
public class StatList extends ListCommand {

  @Option(name = "-l", aliases = "--latency",
      description = "Latency by stage (receive, queue, execute, transmit) in microseconds;"
          + " measured while karst:latency is on")
  boolean latency;

  @Override
  ShellTable table() {
    return latency ? latencyTable() : counterTable();
  }

  private ShellTable counterTable() {
    ShellTable table = columns("Scope", "Name", "Commands", "Read", "Written", "Errors");
    for (StatisticsInfo s : management.statistics()) {
      table.addRow().addContent(s.scope(), s.name(), s.commands(), Format.size(s.readBytes()),
          Format.size(s.writtenBytes()), s.errors());
    }
    return table;
  }

  private ShellTable latencyTable() {
    ShellTable table = columns("Scope", "Name", "Stage", "Count", "Mean", "Min", "p50", "p99",
        "p99.9", "Max");
    for (StatisticsInfo s : management.statistics()) {
      for (StageLatency l : s.latency()) {
        table.addRow().addContent(s.scope(), s.name(), l.stage(), l.count(),
            micros(l.meanNanos()), micros(l.minNanos()), micros(l.p50Nanos()),
            micros(l.p99Nanos()), micros(l.p999Nanos()), micros(l.maxNanos()));
      }
    }
    return table;
  }

  static String micros(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1000.0);
  }
}
