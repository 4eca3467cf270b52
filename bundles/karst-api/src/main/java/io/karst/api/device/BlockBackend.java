package io.karst.api.device;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Storage addressed in blocks, for which core implements the SBC command set: a handler writes
 * these few methods and gets READ, WRITE, VERIFY, SYNCHRONIZE CACHE, READ CAPACITY and the rest.
 *
 * <p>Operations are asynchronous: each returns at once or after its work, and reports through its
 * {@link IoCompletion}. A backend that blocks runs its work on
 * {@link DeviceConfig#ioExecutor()}, never on the calling thread, which may be a network thread;
 * a backend with nothing to wait for (memory, null) may complete inline. Offsets and lengths are
 * in bytes and are multiples of {@link #blockSize()}; core has checked them against the
 * capacity.
 */
@ConsumerType
public interface BlockBackend extends Backend {

  /** The logical block size in bytes: 512, 1024, 2048 or 4096. */
  int blockSize();

  /**
   * The capacity in logical blocks. Core reads it for every command that needs it, so a
   * backend whose size changes at run time ({@link #set}, {@link #resyncSize}) only updates it;
   * core then raises CAPACITY DATA HAS CHANGED.
   */
  long blockCount();

  /**
   * Reads the size of the backing store again, in place, as SCST's {@code resync_size} does
   * after an administrator resized a file or volume: {@link #blockCount()} follows it. Core
   * compares the capacity before and after and raises CAPACITY DATA HAS CHANGED. Called as
   * {@link #set} is, never while another call of either runs for this device; commands may be
   * in flight.
   *
   * @return false (the default) when the backend cannot: core then closes and reopens the
   *     device, draining its commands, to learn the size
   * @throws DeviceException when the store cannot be read or no longer holds the device; the
   *     device is then as it was
   */
  default boolean resyncSize() throws DeviceException {
    return false;
  }

  /** Whether writes are refused (DATA PROTECT, WRITE PROTECTED). */
  default boolean readOnly() {
    return false;
  }

  /**
   * Whether the backend keeps written data in a volatile cache that {@link #flush} makes
   * durable (the WCE bit of the caching mode page).
   */
  default boolean writeCacheEnabled() {
    return true;
  }

  /**
   * Whether {@link #writeCacheEnabled(boolean)} can switch the write cache while the device is
   * open, which makes WCE of the caching mode page changeable (and saveable) by MODE SELECT.
   * False, the default, for a backend that cannot, or whose cache is non-volatile.
   */
  default boolean writeCacheChangeable() {
    return false;
  }

  /**
   * Switches the write cache while the device is open, as MODE SELECT does with WCE (SBC-3
   * 6.4.5): off, every write is durable before it completes, as if it had FUA (write-through);
   * on, writes are cached as the device was configured to, and {@link #flush} makes them
   * durable. {@link #writeCacheEnabled()} follows. What the backend opens with is the
   * configured state, which core reports as the default value of WCE; core switches a newly
   * opened backend to what an initiator selected or saved. Called only when {@link
   * #writeCacheChangeable()}; commands may be in flight, and a write that completes after the
   * switch off is durable.
   *
   * @throws DeviceException when the cache cannot be switched; the backend is then as it was
   */
  default void writeCacheEnabled(boolean enabled) throws DeviceException {
    throw new DeviceException("the write cache cannot be switched while the device is open");
  }

  /**
   * The LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT of READ CAPACITY(16), 0 to 15: a physical
   * block holds 2<sup>n</sup> logical blocks, the first of them at LBA 0. Initiators align
   * partitions and I/O to physical blocks; core also reports them as the optimal transfer and
   * unmap granularities of the Block Limits VPD page.
   */
  default int physicalBlockExponent() {
    return 0;
  }

  /**
   * Whether the logical unit is a placeholder (SCST's {@code dummy}): INQUIRY reports
   * peripheral qualifier 001b and device type 1Fh, so initiators list the LUN but attach no
   * device to it; meant for a LUN 0 an administrator does not want to expose. Every other
   * command is served as usual.
   */
  default boolean placeholder() {
    return false;
  }

  /** Whether the medium rotates (reported in the Block Device Characteristics VPD page). */
  default boolean rotational() {
    return false;
  }

  /** Reads {@code dst.remaining()} bytes at {@code offset} into {@code dst}. */
  void read(long offset, ByteBuffer dst, IoCompletion completion);

  /**
   * Writes {@code src.remaining()} bytes at {@code offset}. With {@code forceUnitAccess} the
   * data is durable before completion.
   */
  void write(long offset, ByteBuffer src, boolean forceUnitAccess, IoCompletion completion);

  /** Makes every completed write durable. */
  void flush(IoCompletion completion);

  /**
   * Whether the backend keeps what it reads in a cache that can hold {@code length} bytes at
   * once, and that {@link #prefetch} fills: a file read through the page cache. False (the
   * default) for a backend that reads its medium each time (direct I/O) or has none (null):
   * PRE-FETCH then answers GOOD, as SBC-4 5.9 asks when the blocks are not brought in.
   */
  default boolean cacheHolds(long length) {
    return false;
  }

  /**
   * Brings {@code length} bytes at {@code offset} into the cache, for PRE-FETCH; called only
   * when {@link #cacheHolds} says they fit. Completes once they are in the cache or on their
   * way to it (reads started that later reads of them wait for), so it may complete before the
   * medium has answered. The default completes at once.
   */
  default void prefetch(long offset, long length, IoCompletion completion) {
    completion.completed();
  }

  /** Whether {@link #unmap} deallocates (thin provisioning). */
  default boolean supportsUnmap() {
    return false;
  }

  /**
   * For a thin backend, how many more bytes it can allocate (the usable space of the store
   * beneath it), or -1 when it cannot tell: the Logical Block Provisioning log page reports it,
   * so that an initiator sees the pool running out before writes fail.
   */
  default long availableBytes() {
    return -1;
  }

  /**
   * For a thin backend, where its allocation changes, as {@code lseek} with SEEK_DATA or
   * SEEK_HOLE finds it: the first offset at or after {@code offset} that holds data when
   * {@code allocated}, else the first that is deallocated; {@code blockCount() * blockSize()}
   * when there is none; -1 when the backend cannot tell. GET LBA STATUS reports what it
   * answers, and blocks it cannot tell of as mapped.
   */
  default long findAllocation(long offset, boolean allocated) {
    return -1;
  }

  /**
   * Deallocates {@code length} bytes at {@code offset}; later reads of them return zeros.
   * Called only when {@link #supportsUnmap()}.
   */
  default void unmap(long offset, long length, IoCompletion completion) {
    completion.failed(new UnsupportedOperationException("unmap"));
  }
}
