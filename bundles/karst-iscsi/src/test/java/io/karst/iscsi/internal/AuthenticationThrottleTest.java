package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AuthenticationThrottleTest {

  private static final String T = "iqn.2026-11.test:t";

  private final AtomicLong clock = new AtomicLong(1L << 40);
  private final AuthenticationThrottle throttle = new AuthenticationThrottle(clock::get);

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private static InetAddress address(String text) throws Exception {
    return InetAddress.getByName(text);
  }

  @Test
  void failuresUnderOneAddressCountWhateverNameTheyGive() throws Exception {
    InetAddress a = address("192.0.2.7");
    assertThat(ms(throttle.failed(T, "iqn.2026-11.test:a", a))).isEqualTo(1500);
    assertThat(ms(throttle.failed(T, "iqn.2026-11.test:b", a))).isEqualTo(1500 + 3000);
    assertThat(ms(throttle.succeeded(T, "iqn.2026-11.test:c", a))).as("its turn")
        .isEqualTo(4500);
    assertThat(ms(throttle.succeeded(T, "iqn.2026-11.test:c", address("192.0.2.8"))))
        .as("another address").isZero();
    assertThat(ms(throttle.succeeded("iqn.2026-11.test:other", "iqn.2026-11.test:c", a)))
        .as("another target, with its own secrets").isZero();
  }

  @Test
  void anIpv6HostCountsByItsPrefix() throws Exception {
    throttle.failed(null, null, address("2001:db8:0:1::1"));
    assertThat(ms(throttle.failed(null, null, address("2001:db8:0:1::ffff")))).isEqualTo(4500);
    assertThat(ms(throttle.failed(null, null, address("2001:db8:0:2::1")))).isEqualTo(1500);
  }

  @Test
  void theDelayDoublesUpToItsMostAndTurnsTooFarAwayAreNotGiven() {
    String i = "iqn.2026-11.test:i";
    long[] expected = {1500, 4500, 10500, 22500};
    for (long e : expected) {
      assertThat(ms(throttle.failed(T, i, null))).isEqualTo(e);
    }
    assertThat(throttle.failed(T, i, null)).isEqualTo(-1);
    assertThat(throttle.succeeded(T, i, null)).as("a success waits its turn too")
        .isEqualTo(TimeUnit.MILLISECONDS.toNanos(22500));
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(22500));
    assertThat(throttle.failed(T, i, null)).as("the success forgot the failures")
        .isEqualTo(TimeUnit.MILLISECONDS.toNanos(1500));
  }

  @Test
  void countsAreForgottenAfterAQuietWhile() {
    String i = "iqn.2026-11.test:i";
    throttle.failed(T, i, null);
    throttle.failed(T, i, null);
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(4500 + AuthenticationThrottle.FORGET_MILLIS));
    assertThat(ms(throttle.failed(T, i, null))).as("remembered until then").isEqualTo(6000);
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(6000 + AuthenticationThrottle.FORGET_MILLIS)
        + 1);
    assertThat(ms(throttle.failed(T, i, null))).isEqualTo(1500);
  }
}
