package io.karst.core.internal;

import io.karst.api.mgmt.Management.Scope;
import io.karst.api.mgmt.Management.Stage;
import io.karst.api.mgmt.Management.StageLatency;
import io.karst.api.mgmt.Management.StatisticsInfo;
import io.karst.api.scsi.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one device or one session, SCST's per-device and per-session statistics:
 * commands, bytes each way and errors, always kept (a striped adder each, no contention between
 * the threads that complete commands), and a latency histogram per {@link Stage}, filled only
 * while measurement is on.
 */
final class IoStatistics {

  private static final Stage[] STAGES = Stage.values();

  private final LongAdder commands = new LongAdder();
  private final LongAdder readBytes = new LongAdder();
  private final LongAdder writtenBytes = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final LatencyHistogram[] latency = new LatencyHistogram[STAGES.length];

  IoStatistics() {
    for (int i = 0; i < latency.length; i++) {
      latency[i] = new LatencyHistogram();
    }
  }

  /** A completed command: {@code read} bytes sent, {@code written} bytes taken in. */
  void completed(Status status, long read, long written) {
    commands.increment();
    if (status != Status.GOOD && status != Status.CONDITION_MET) { // both are success (SAM-5)
      errors.increment();
    } else if (written > 0) {
      writtenBytes.add(written);
    }
    if (read > 0) {
      readBytes.add(read);
    }
  }

  long commands() {
    return commands.sum();
  }

  void latency(Stage stage, long nanos) {
    latency[stage.ordinal()].record(nanos);
  }

  StatisticsInfo snapshot(Scope scope, String name) {
    List<StageLatency> stages = new ArrayList<>(STAGES.length);
    for (Stage s : STAGES) {
      StageLatency l = latency[s.ordinal()].snapshot(s);
      if (l != null) {
        stages.add(l);
      }
    }
    return new StatisticsInfo(scope, name, commands.sum(), readBytes.sum(), writtenBytes.sum(),
        errors.sum(), List.copyOf(stages));
  }

  void reset() {
    commands.reset();
    readBytes.reset();
    writtenBytes.reset();
    errors.reset();
    for (LatencyHistogram h : latency) {
      h.reset();
    }
  }
}
