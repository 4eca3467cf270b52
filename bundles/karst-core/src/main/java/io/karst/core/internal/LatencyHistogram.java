package io.karst.core.internal;

import io.karst.api.mgmt.Management.Stage;
import io.karst.api.mgmt.Management.StageLatency;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A histogram of durations in nanoseconds with log-linear buckets: each power of two is split
 * into eight buckets, so a percentile read from it is at most 12.5% above the true value, with a
 * fixed 4 KiB of counters whatever the range. Recording is lock-free and allocation-free, for the
 * command path.
 */
final class LatencyHistogram {

  private static final int SUB_BITS = 3;
  private static final int SUB_BUCKETS = 1 << SUB_BITS;
  private static final int BUCKETS = (64 - SUB_BITS + 1) * SUB_BUCKETS;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
  private final AtomicLong count = new AtomicLong();
  private final AtomicLong sum = new AtomicLong();
  private final AtomicLong min = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong max = new AtomicLong();

  void record(long nanos) {
    long v = Math.max(0, nanos);
    counts.incrementAndGet(bucket(v));
    count.incrementAndGet();
    sum.addAndGet(v);
    if (v < min.get()) {
      min.accumulateAndGet(v, Math::min);
    }
    if (v > max.get()) {
      max.accumulateAndGet(v, Math::max);
    }
  }

  /** Values below eight have a bucket each; above, the top bit picks the octave, the next three the bucket. */
  static int bucket(long v) {
    if (v < SUB_BUCKETS) {
      return (int) v;
    }
    int top = 63 - Long.numberOfLeadingZeros(v);
    int shift = top - SUB_BITS;
    int sub = (int) (v >>> shift) & (SUB_BUCKETS - 1);
    return (shift + 1) * SUB_BUCKETS + sub;
  }

  /** The largest value that falls into bucket {@code index}. */
  static long upperBound(int index) {
    if (index < SUB_BUCKETS) {
      return index;
    }
    int shift = index / SUB_BUCKETS - 1;
    long low = ((long) (SUB_BUCKETS + index % SUB_BUCKETS)) << shift;
    return low + (1L << shift) - 1;
  }

  long count() {
    return count.get();
  }

  /** A snapshot, or null when nothing was recorded. */
  StageLatency snapshot(Stage stage) {
    long n = count.get();
    if (n == 0) {
      return null;
    }
    long hi = max.get();
    return new StageLatency(stage, n, sum.get() / n, min.get(), percentile(0.5, n, hi),
        percentile(0.99, n, hi), percentile(0.999, n, hi), hi);
  }

  private long percentile(double q, long n, long hi) {
    long rank = (long) Math.ceil(q * n);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts.get(i);
      if (seen >= rank) {
        return Math.min(upperBound(i), hi);
      }
    }
    return hi;
  }

  void reset() {
    for (int i = 0; i < BUCKETS; i++) {
      counts.set(i, 0);
    }
    count.set(0);
    sum.set(0);
    min.set(Long.MAX_VALUE);
    max.set(0);
  }
}
