package io.karst.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.mgmt.Management.Stage;
import io.karst.api.mgmt.Management.StageLatency;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  @Test
  void everyValueFallsIntoABucketWhoseBoundsHoldIt() {
    long[] samples = {0, 1, 7, 8, 9, 15, 16, 17, 1000, 4095, 4096, 123_456_789,
        Long.MAX_VALUE / 3, Long.MAX_VALUE};
    for (long v : samples) {
      int b = LatencyHistogram.bucket(v);
      assertThat(LatencyHistogram.upperBound(b)).as("upper bound of %d", v).isGreaterThanOrEqualTo(v);
      if (b > 0) {
        assertThat(LatencyHistogram.upperBound(b - 1)).as("bucket below %d", v).isLessThan(v);
      }
    }
  }

  @Test
  void bucketsAreAtMostAnEighthWide() {
    for (int b = 9; b < LatencyHistogram.bucket(Long.MAX_VALUE); b++) {
      long low = LatencyHistogram.upperBound(b - 1) + 1;
      long high = LatencyHistogram.upperBound(b);
      assertThat((double) (high - low + 1) / low).as("bucket %d", b).isLessThanOrEqualTo(0.125);
    }
  }

  @Test
  void snapshotGivesCountMeanExtremesAndPercentiles() {
    LatencyHistogram h = new LatencyHistogram();
    assertThat(h.snapshot(Stage.EXECUTE)).isNull();
    for (int i = 1; i <= 1000; i++) {
      h.record(i * 1000L);
    }
    StageLatency s = h.snapshot(Stage.EXECUTE);
    assertThat(s.stage()).isEqualTo(Stage.EXECUTE);
    assertThat(s.count()).isEqualTo(1000);
    assertThat(s.meanNanos()).isEqualTo(500_500);
    assertThat(s.minNanos()).isEqualTo(1000);
    assertThat(s.maxNanos()).isEqualTo(1_000_000);
    assertThat(s.p50Nanos()).isBetween(500_000L, 562_500L);
    assertThat(s.p99Nanos()).isBetween(990_000L, 1_000_000L);
    assertThat(s.p999Nanos()).isBetween(999_000L, 1_000_000L);
    h.reset();
    assertThat(h.snapshot(Stage.EXECUTE)).isNull();
  }

  @Test
  void negativeDurationsFromAClockStepCountAsZero() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(-5);
    assertThat(h.snapshot(Stage.QUEUE).maxNanos()).isZero();
  }
}
