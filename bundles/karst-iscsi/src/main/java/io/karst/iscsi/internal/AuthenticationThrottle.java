package io.karst.iscsi.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Failed authentications counted across all connections, so that secrets cannot be guessed
 * faster by trying them on many connections at once (RFC 7143 12.1.3 leaves CHAP open to
 * guessing; a delay per connection alone is no defence against parallel attempts).
 *
 * <p>Failures are counted per initiator name and per source address (an IPv6 address by its
 * /64 prefix, which one host can fill with addresses), each separately for every target, since
 * each target has its own secrets: a host with a wrong secret for one target still reaches the
 * others at once. Each failure pushes the earliest moment at which the next attempt under the
 * same initiator name or address is answered, whatever its outcome, by a delay that doubles
 * with every failure from {@link #FIRST_DELAY_MILLIS} up to {@link #MAX_DELAY_MILLIS}. So
 * parallel attempts are answered one delay after another, and an attempt that happened to
 * succeed among them is answered no sooner than its turn: trying many at once tells nothing
 * sooner than trying them in turn. An attempt whose turn would come after {@link
 * #MAX_WAIT_MILLIS} (well within the login timeout) gets no answer: its connection closes, so
 * waiting logins cannot pile up, and it does not push the next turns further away.
 *
 * <p>A success forgets its initiator's failures for the target; the address keeps its own.
 * Counts are forgotten {@link #FORGET_MILLIS} after their last turn, and each map keeps at
 * most {@link #MAX_ENTRIES} entries, the least recently used going first.
 *
 * <p>The price: whoever knows an initiator's name can delay that initiator's logins by
 * failing in its name. The ACL and the network keep strangers from trying at all.
 */
final class AuthenticationThrottle {

  static final long FIRST_DELAY_MILLIS = 1500;
  static final long MAX_DELAY_MILLIS = 12_000;
  static final long MAX_WAIT_MILLIS = 24_000;
  static final long FORGET_MILLIS = TimeUnit.MINUTES.toMillis(10);
  static final int MAX_ENTRIES = 4096;

  /** The failures under one initiator name or address, and when the next answer may go. */
  private static final class Failures {
    int count;
    long notBefore;
  }

  private final LongSupplier nanoTime;
  private final Map<String, Failures> initiators = bounded();
  private final Map<String, Failures> addresses = bounded();

  /** @param nanoTime the clock, as {@link System#nanoTime} */
  AuthenticationThrottle(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  private static Map<String, Failures> bounded() {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
        return size() > MAX_ENTRIES;
      }
    };
  }

  /**
   * An authentication failed: how long to wait before refusing it.
   *
   * @param target the target's name, null for a discovery session
   * @param initiator the initiator's name, null when not declared
   * @param address the initiator's address, null when unknown
   * @return nanoseconds from now, or -1 for no answer at all (close the connection)
   */
  synchronized long failed(String target, String initiator, InetAddress address) {
    long now = nanoTime.getAsLong();
    List<Failures> counts = counts(target, initiator, address, now);
    int count = counts.stream().mapToInt(f -> f.count).max().orElse(0) + 1;
    long delay = TimeUnit.MILLISECONDS.toNanos(
        Math.min(FIRST_DELAY_MILLIS << Math.min(count - 1, 20), MAX_DELAY_MILLIS));
    long at = turn(counts, now) + delay;
    boolean answered = at - now <= TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MILLIS);
    for (Failures f : counts) {
      f.count++;
      if (answered) {
        f.notBefore = at;
      }
    }
    return answered ? at - now : -1;
  }

  /**
   * An authentication succeeded: how long to wait before saying so, the turn that failures
   * before it left; the initiator's failures for the target are then forgotten.
   *
   * @return nanoseconds from now, or -1 for no answer at all (close the connection)
   */
  synchronized long succeeded(String target, String initiator, InetAddress address) {
    long now = nanoTime.getAsLong();
    long wait = turn(counts(target, initiator, address, now), now) - now;
    if (wait > TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MILLIS)) {
      return -1;
    }
    if (initiator != null) {
      initiators.remove(key(target, initiator));
    }
    return wait;
  }

  /** The earliest moment an attempt under these counts may be answered. */
  private static long turn(List<Failures> counts, long now) {
    long at = now;
    for (Failures f : counts) {
      if (f.notBefore - at > 0) {
        at = f.notBefore;
      }
    }
    return at;
  }

  /** The counts an attempt falls under, new ones made, forgotten ones started again. */
  private List<Failures> counts(String target, String initiator, InetAddress address,
      long now) {
    List<Failures> out = new ArrayList<>(2);
    if (initiator != null) {
      out.add(count(initiators, key(target, initiator), now));
    }
    if (address != null) {
      out.add(count(addresses, key(target, source(address)), now));
    }
    return out;
  }

  private static Failures count(Map<String, Failures> map, String key, long now) {
    Failures f = map.get(key);
    if (f == null || now - f.notBefore > TimeUnit.MILLISECONDS.toNanos(FORGET_MILLIS)) {
      f = new Failures();
      f.notBefore = now;
      map.put(key, f);
    }
    return f;
  }

  private static String key(String target, String who) {
    return (target == null ? "" : target) + '\n' + who;
  }

  /** An IPv4 address, or the /64 prefix of an IPv6 one. */
  private static String source(InetAddress address) {
    byte[] a = address.getAddress();
    return address instanceof Inet6Address
        ? Arrays.toString(Arrays.copyOf(a, 8)) + "/64" : address.getHostAddress();
  }
}
