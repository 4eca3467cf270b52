package io.karst.vdisk.internal;

import io.karst.api.device.BlockBackend;
import io.karst.api.device.DeviceException;
import io.karst.api.device.IoCompletion;
import io.karst.api.device.MediumException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * A {@code vdisk_fileio} device: positional reads and writes on one {@link FileChannel}, which
 * is safe for concurrent positional I/O, so commands need no lock here.
 *
 * <p>Each operation runs on an executor and reports through its {@link IoCompletion} exactly
 * once: {@code failed} with the {@link IOException} (core reports MEDIUM ERROR, at the offset of
 * a {@link MediumException}, which reads and writes fail with) or whatever else
 * went wrong, including an executor that no longer takes work, else {@code completed}. Reads,
 * writes and flushes go to the device's I/O threads, or stay on the calling thread for a file in
 * memory ({@link #INLINE}, see {@link FileIoHandler}); unmap always goes to the I/O threads, as
 * it may scan gigabytes.
 *
 * <p>Durability: the cache is volatile unless {@code write_through} (the channel is O_DSYNC, so
 * each write is durable when it returns) or {@code nv_cache} (the administrator vouches for the
 * cache below). Only a volatile cache is reported (WCE) and forced, on FUA and on flush; and a
 * punched hole on a write-through device, which O_DSYNC does not cover.
 *
 * <p>An initiator may switch the cache off and on with WCE of the caching mode page ({@link
 * #writeCacheEnabled(boolean)}), unless {@code nv_cache}: write-through then forces each write
 * as FUA does, rather than reopening the channel under commands in flight. A channel opened
 * O_DSYNC stays so when the cache is switched on: its writes remain durable at once, which WCE
 * 1 permits. The {@code write_through} attribute keeps what the device was configured with,
 * the default value of WCE; the current and saved values are the mode page's.
 *
 * <p>Thin provisioning: {@link #unmap} punches a hole ({@link NativeFile}), which gives the
 * space back and reads as zeros, as SBC promises for unmapped blocks (LBPRZ). Where holes cannot
 * be punched (no native access, a file system without it) it keeps the promise by reading the
 * range and overwriting the blocks that hold data with zeros: a range never written stays
 * sparse, but space once written stays allocated.
 */
final class FileBackend implements BlockBackend {

  /**
   * How a device caches and provisions, from its attributes of the same names.
   *
   * @param nvCache {@code nv_cache}: the cache is non-volatile, nothing needs forcing
   * @param writeThrough {@code write_through}: the channel was opened with DSYNC
   * @param rotational {@code rotational}: report a rotating medium
   * @param thin {@code thin_provisioned}: offer unmap
   * @param direct the channel was opened with O_DIRECT ({@code o_direct}, {@code vdisk_blockio})
   */
  record Options(boolean nvCache, boolean writeThrough, boolean rotational, boolean thin,
      boolean direct) {}

  /** One blocking operation; any exception becomes the completion's failure. */
  private interface Operation {
    void run() throws IOException;
  }

  /** Runs operations on the calling thread, for a file whose I/O never waits. */
  static final Executor INLINE = Runnable::run;

  /** How much of the file unmap reads at a time to find the blocks that hold data. */
  private static final int SCAN = 1 << 20;
  /**
   * The alignment O_DIRECT needs of buffer addresses, offsets and lengths: a page, which is a
   * multiple of any logical block size a device reports.
   */
  private static final int DIRECT_ALIGNMENT = 4096;
  /** The aligned buffer of each I/O thread, for transfers whose own buffers are not aligned. */
  private static final ThreadLocal<ByteBuffer> BOUNCE = ThreadLocal.withInitial(
      () -> ByteBuffer.allocateDirect(SCAN + DIRECT_ALIGNMENT).alignedSlice(DIRECT_ALIGNMENT));

  private final FileChannel channel;
  private final BackingFile.Store backing;
  private final Geometry geometry;
  /** Changes at run time ({@link #set}, {@link #resyncSize}); core reads it per command. */
  private volatile long blockCount;
  /** The configuration's {@code size} in bytes, or -1 when the device is the file's length. */
  private long size;
  private final int physicalBlockExponent;
  private final Options options;
  private final Executor io;
  private final Executor bulk;
  /** The file system of a thin file, whose free space the file can still grow into, or null. */
  private final FileStore store;
  /**
   * The file's native descriptor: punches holes on unmap (or, null, zeros are written instead)
   * and reads ahead for PRE-FETCH.
   */
  private final NativeFile nativeFile;
  /** Cleared when the file system refuses to punch, so unmap stops asking. */
  private volatile boolean punching;
  /** Write-through as configured, or as MODE SELECT last switched it (WCE 0). */
  private volatile boolean writeThrough;

  /**
   * @param backing the file or block device, for a size that changes at run time
   * @param physicalBlockExponent what READ CAPACITY(16) reports of the physical block
   * @param io where reads, writes and flushes run: the device's I/O threads or {@link #INLINE}
   * @param bulk where unmap runs: the device's I/O threads, never a caller's thread
   * @param nativeFile how unmap deallocates (or null to write zeros) and PRE-FETCH reads
   *     ahead; closed with the backend
   * @param store the file system of a thin file, or null
   */
  FileBackend(FileChannel channel, BackingFile.Store backing, Geometry geometry,
      long blockCount, int physicalBlockExponent, Options options, Executor io, Executor bulk,
      NativeFile nativeFile, FileStore store) {
    this.channel = channel;
    this.backing = backing;
    this.size = geometry.size();
    this.store = store;
    this.nativeFile = nativeFile;
    this.punching = nativeFile != null && options.thin() && !geometry.readOnly();
    this.geometry = geometry;
    this.blockCount = blockCount;
    this.physicalBlockExponent = physicalBlockExponent;
    this.options = options;
    this.writeThrough = options.writeThrough();
    this.io = io;
    this.bulk = bulk;
  }

  @Override
  public int blockSize() {
    return geometry.blockSize();
  }

  @Override
  public long blockCount() {
    return blockCount;
  }

  /**
   * A new {@code size} on the running device, as SCST's {@code echo N >size}: growing extends
   * a file, sparse (a block device cannot grow past its end, nor the file of a read-only
   * device); shrinking only exposes fewer blocks and never truncates, so what lies beyond stays
   * in the file, as in SCST, and commands in flight past the new end still find their file.
   * Without a size the device is the file's length again. Core raises CAPACITY DATA HAS
   * CHANGED.
   */
  @Override
  public synchronized void set(String attribute, String value) throws DeviceException {
    if (!attribute.equals("size")) {
      BlockBackend.super.set(attribute, value);
      return;
    }
    long bytes = value == null ? -1 : Long.parseLong(value);
    long blocks;
    if (bytes < 0) {
      blocks = geometry.blocks(backing.device(), storeLength());
    } else {
      blocks = geometry.blocks(backing.device(), bytes);
      if (geometry.readOnly() && bytes > storeLength()) {
        throw new DeviceException(backing.device() + ": size " + bytes + " is larger than "
            + backing.file() + ", which a read_only device does not extend");
      }
      backing.reserve(bytes);
    }
    size = bytes;
    blockCount = blocks;
  }

  /**
   * SCST's {@code resync_size}: the device follows its file's (or block device's) length now,
   * unless the configuration gives a size, which stays and which the file must still hold.
   */
  @Override
  public synchronized boolean resyncSize() throws DeviceException {
    long length = storeLength();
    if (size > length) {
      throw new DeviceException(backing.device() + ": " + backing.file() + " is now " + length
          + " bytes, shorter than the device's size " + size);
    }
    blockCount = geometry.blocks(backing.device(), size < 0 ? length : size);
    return true;
  }

  private long storeLength() throws DeviceException {
    try {
      return backing.length();
    } catch (IOException e) {
      throw new DeviceException(backing.device() + ": " + backing.file() + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public int physicalBlockExponent() {
    return physicalBlockExponent;
  }

  @Override
  public boolean readOnly() {
    return geometry.readOnly();
  }

  /**
   * As SCST reports WCE: only for a cache that is neither written through nor non-volatile, so
   * that initiators do not send SYNCHRONIZE CACHE for nothing.
   */
  @Override
  public boolean writeCacheEnabled() {
    return !writeThrough && !options.nvCache();
  }

  @Override
  public boolean writeCacheChangeable() {
    return !options.nvCache();
  }

  @Override
  public void writeCacheEnabled(boolean enabled) {
    writeThrough = !enabled;
  }

  /** Whether a completed write may be only in the page cache: the channel is not O_DSYNC. */
  private boolean channelCaches() {
    return !options.writeThrough() && !options.nvCache();
  }

  @Override
  public boolean rotational() {
    return options.rotational();
  }

  @Override
  public boolean supportsUnmap() {
    return options.thin();
  }

  @Override
  public long availableBytes() {
    if (store == null) {
      return -1;
    }
    try {
      return store.getUsableSpace();
    } catch (IOException e) {
      return -1;
    }
  }

  @Override
  public void read(long offset, ByteBuffer dst, IoCompletion completion) {
    submit(io, completion, () -> readFully(offset, dst));
  }

  @Override
  public void write(long offset, ByteBuffer src, boolean forceUnitAccess,
      IoCompletion completion) {
    submit(io, completion, () -> {
      writeFully(offset, src);
      if ((forceUnitAccess || writeThrough) && channelCaches()) {
        channel.force(false);
      }
    });
  }

  /**
   * Forces the channel whenever it caches, even while write-through was switched on: writes
   * cached before the switch are made durable too.
   */
  @Override
  public void flush(IoCompletion completion) {
    if (!channelCaches()) {
      // Every completed write is already as durable as this device promises.
      completion.completed();
      return;
    }
    submit(io, completion, () -> channel.force(false));
  }

  /**
   * Reads go through the page cache unless the channel is O_DIRECT, and the page cache holds at
   * most the machine's memory.
   */
  @Override
  public boolean cacheHolds(long length) {
    return !options.direct() && nativeFile != null && length <= NativeFile.PHYSICAL_MEMORY;
  }

  /** The kernel starts reading the range into the page cache (POSIX_FADV_WILLNEED). */
  @Override
  public void prefetch(long offset, long length, IoCompletion completion) {
    submit(io, completion, () -> nativeFile.willNeed(offset, length));
  }

  /** Where the file's holes are, from the file system (lseek SEEK_DATA, SEEK_HOLE). */
  @Override
  public long findAllocation(long offset, boolean allocated) {
    return nativeFile == null || !options.thin() ? -1
        : nativeFile.seek(offset, allocated, blockCount * blockSize());
  }

  @Override
  public void unmap(long offset, long length, IoCompletion completion) {
    submit(bulk, completion, () -> {
      if (punching && nativeFile.punch(offset, length)) {
        if (writeThrough) {
          // O_DSYNC makes write(2) durable, not fallocate(2): without this a write-through
          // device could report the unmap done and read the old data after a power loss.
          channel.force(false);
        }
        return;
      }
      punching = false;
      zero(offset, length);
    });
  }

  /**
   * Fills {@code dst}, through the thread's aligned buffer when the channel is O_DIRECT and
   * {@code dst} is not aligned for it.
   */
  private void readFully(long offset, ByteBuffer dst) throws IOException {
    if (!options.direct() || aligned(dst)) {
      readAll(offset, dst);
      return;
    }
    ByteBuffer bounce = BOUNCE.get();
    long at = offset;
    while (dst.hasRemaining()) {
      bounce.clear().limit(Math.min(dst.remaining(), SCAN));
      readAll(at, bounce);
      bounce.flip();
      at += bounce.remaining();
      dst.put(bounce);
    }
  }

  /**
   * Whether O_DIRECT can use the buffer as it is: direct, at an aligned address, for whole
   * aligned units (core's transfers are whole blocks, so only the address is in question).
   */
  private static boolean aligned(ByteBuffer b) {
    return b.isDirect() && b.alignmentOffset(b.position(), DIRECT_ALIGNMENT) == 0
        && b.remaining() % DIRECT_ALIGNMENT == 0;
  }

  /** Fills {@code dst}; what lies past the end of the file was never written, so zeros. */
  private void readAll(long offset, ByteBuffer dst) throws IOException {
    long at = offset;
    while (dst.hasRemaining()) {
      int n;
      try {
        n = channel.read(dst, at);
      } catch (IOException e) {
        throw failedAt(at, e);
      }
      if (n < 0) {
        Zeros.fill(dst);
        return;
      }
      at += n;
    }
  }

  /**
   * Writes all of {@code src}, through the thread's aligned buffer when the channel is O_DIRECT
   * and {@code src} is not aligned for it.
   */
  private void writeFully(long offset, ByteBuffer src) throws IOException {
    if (!options.direct() || aligned(src)) {
      writeAll(offset, src);
      return;
    }
    ByteBuffer bounce = BOUNCE.get();
    long at = offset;
    while (src.hasRemaining()) {
      int n = Math.min(src.remaining(), SCAN);
      bounce.clear();
      bounce.put(src.slice(src.position(), n)).flip();
      src.position(src.position() + n);
      writeAll(at, bounce);
      at += n;
    }
  }

  /** Writes all of {@code src}: a positional write may take less than it is given. */
  private void writeAll(long offset, ByteBuffer src) throws IOException {
    long at = offset;
    while (src.hasRemaining()) {
      try {
        at += channel.write(src, at);
      } catch (IOException e) {
        throw failedAt(at, e);
      }
    }
  }

  /**
   * The error of a transfer that got as far as {@code at}: what came before was transferred
   * (a positional read or write returns what it did before it reports an error), so the
   * initiator is told the first block that was not (SBC-4 4.18).
   */
  private static MediumException failedAt(long at, IOException e) {
    return new MediumException(at, "I/O error at byte " + at + ": " + e, e);
  }

  /**
   * Makes {@code length} bytes at {@code offset} read as zeros, writing only where data is: in
   * each scanned chunk, from its first block that is not zero to the end of its last.
   */
  private void zero(long offset, long length) throws IOException {
    int blockSize = blockSize();
    ByteBuffer chunk = ByteBuffer.allocateDirect((int) Math.min(length, SCAN));
    long end = offset + length;
    for (long at = offset; at < end; at += chunk.limit()) {
      chunk.clear().limit((int) Math.min(chunk.capacity(), end - at));
      readFully(at, chunk);
      chunk.flip();
      int first = -1;
      int last = -1;
      for (int b = 0; b < chunk.limit(); b += blockSize) {
        if (!Zeros.isZero(chunk.slice(b, blockSize))) {
          first = first < 0 ? b : first;
          last = b + blockSize;
        }
      }
      for (int z = first; z >= 0 && z < last; ) {
        ByteBuffer zeros = Zeros.chunk(Math.min(Zeros.CHUNK, last - z));
        writeFully(at + z, zeros);
        z += zeros.limit();
      }
    }
  }

  private static void submit(Executor executor, IoCompletion completion, Operation operation) {
    if (executor == INLINE) {
      // Not through the catch below: inline, a RejectedExecutionException could only come from
      // the completion itself, which must not then be called a second time.
      run(completion, operation);
      return;
    }
    try {
      executor.execute(() -> run(completion, operation));
    } catch (RejectedExecutionException e) {
      completion.failed(e);
    }
  }

  private static void run(IoCompletion completion, Operation operation) {
    try {
      operation.run();
    } catch (IOException | RuntimeException e) {
      completion.failed(e);
      return;
    }
    completion.completed();
  }

  /**
   * Core closes after the device's last command, or after it gave up waiting for them: an
   * operation still queued then fails (a closed channel, a closed {@link NativeFile}) and never
   * reaches a file opened since.
   */
  @Override
  public void close() {
    if (nativeFile != null) {
      nativeFile.close();
    }
    try {
      channel.close();
    } catch (IOException e) {
      // Nothing can be retried.
    }
  }
}
