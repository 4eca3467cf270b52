package io.karst.core.internal;

import static io.karst.core.internal.TestBed.read10;
import static io.karst.core.internal.TestBed.write10;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.mgmt.Management.Scope;
import io.karst.api.mgmt.Management.Stage;
import io.karst.api.mgmt.Management.StageLatency;
import io.karst.api.mgmt.Management.StatisticsInfo;
import io.karst.api.scsi.Status;
import org.junit.jupiter.api.Test;

/** Counters and latency by stage, per device and per session. */
class StatisticsTest extends BedTest {

  private StatisticsInfo of(Scope scope, String name) {
    return bed.engine.statistics().stream()
        .filter(s -> s.scope() == scope && s.name().startsWith(name)).findFirst().orElseThrow();
  }

  @Test
  void countsCommandsBytesAndErrorsPerDeviceAndSession() throws Exception {
    assertThat(bed.send(0, write10(0, 2), new byte[1024], 0).status()).isEqualTo(Status.GOOD);
    assertThat(bed.send(0, read10(0, 4), null, 2048).status()).isEqualTo(Status.GOOD);
    assertThat(bed.send(0, read10(1L << 30, 1), null, 512).status())
        .isEqualTo(Status.CHECK_CONDITION);
    assertThat(bed.send(3, read10(0, 1), null, 4096).status()).isEqualTo(Status.GOOD);

    StatisticsInfo disk0 = of(Scope.DEVICE, "disk0");
    assertThat(disk0.commands()).isEqualTo(3);
    assertThat(disk0.writtenBytes()).isEqualTo(1024);
    assertThat(disk0.readBytes()).isEqualTo(2048);
    assertThat(disk0.errors()).isEqualTo(1);
    assertThat(of(Scope.DEVICE, "disk1").readBytes()).isEqualTo(4096);

    StatisticsInfo session = of(Scope.SESSION, "local session of iqn.test:host");
    assertThat(session.commands()).isEqualTo(4);
    assertThat(session.readBytes()).isEqualTo(2048 + 4096);
    assertThat(session.writtenBytes()).isEqualTo(1024);
    assertThat(session.errors()).isEqualTo(1);
    assertThat(session.latency()).as("measurement is off by default").isEmpty();
  }

  @Test
  void latencyIsMeasuredByStageOnlyWhileSwitchedOn() throws Exception {
    bed.send(0, read10(0, 1), null, 512);
    bed.engine.latencyMeasurement(true);
    assertThat(bed.engine.latencyMeasurement()).isTrue();
    bed.send(0, write10(0, 1), new byte[512], 0);
    bed.send(0, read10(0, 1), null, 512);
    bed.engine.latencyMeasurement(false);
    bed.send(0, read10(0, 1), null, 512);

    StatisticsInfo disk0 = of(Scope.DEVICE, "disk0");
    assertThat(disk0.commands()).isEqualTo(4);
    assertThat(disk0.latency()).extracting(StageLatency::stage)
        .containsExactly(Stage.RECEIVE, Stage.QUEUE, Stage.EXECUTE, Stage.TRANSMIT);
    assertThat(disk0.latency()).allSatisfy(l -> {
      assertThat(l.count()).isEqualTo(2);
      assertThat(l.minNanos()).isLessThanOrEqualTo(l.p50Nanos());
      assertThat(l.p50Nanos()).isLessThanOrEqualTo(l.maxNanos());
    });
  }

  @Test
  void commandsWithoutALogicalUnitAreTimedOnTheSessionOnly() throws Exception {
    bed.engine.latencyMeasurement(true);
    bed.send(7, TestBed.cdb(0x00, 0, 0, 0, 0, 0), null, 0);
    StatisticsInfo session = of(Scope.SESSION, "local session");
    assertThat(session.latency()).extracting(StageLatency::stage)
        .containsExactly(Stage.RECEIVE, Stage.QUEUE, Stage.TRANSMIT);
    assertThat(of(Scope.DEVICE, "disk0").commands()).isZero();
  }

  @Test
  void resetSetsEverythingBackToZero() throws Exception {
    bed.engine.latencyMeasurement(true);
    bed.send(0, read10(0, 1), null, 512);
    bed.engine.resetStatistics();
    assertThat(bed.engine.statistics()).allSatisfy(s -> {
      assertThat(s.commands()).isZero();
      assertThat(s.readBytes()).isZero();
      assertThat(s.latency()).isEmpty();
    });
  }
}
