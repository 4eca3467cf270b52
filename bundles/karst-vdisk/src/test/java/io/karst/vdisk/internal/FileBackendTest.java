package io.karst.vdisk.internal;

import static io.karst.vdisk.internal.FileIoHandlerTest.filled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.karst.api.device.MediumException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBackendTest {

  private static final int SIZE = 1 << 20;

  @TempDir
  Path dir;

  /**
   * With {@code write_through} every completion is durable, and O_DSYNC covers write(2) but not
   * the fallocate(2) that punches a hole: the unmap must force the file before it completes.
   */
  @Test
  void unmapOnAWriteThroughDeviceForcesThePunchedHole() throws Exception {
    assertThat(forcesOnUnmap(true)).isEqualTo(1);
  }

  /** With the write cache enabled the hole is as volatile as a write; SYNCHRONIZE CACHE forces. */
  @Test
  void unmapWithTheWriteCacheEnabledDoesNotForce() throws Exception {
    assertThat(forcesOnUnmap(false)).isZero();
  }

  private int forcesOnUnmap(boolean writeThrough) throws Exception {
    Path file = Files.write(dir.resolve("thin.img"), filled(SIZE, 7));
    NativeFile holes = NativeFile.open(file, true);
    assumeTrue(holes != null, "no native hole punching here");
    ProbedChannel channel = new ProbedChannel(FileChannel.open(file,
        StandardOpenOption.READ, StandardOpenOption.WRITE));
    FileBackend.Options options = new FileBackend.Options(false, writeThrough, false, true,
        false);
    try (FileBackend b = new FileBackend(channel, new BackingFile.Store("thin", file, false),
        new Geometry(SIZE, 512, false, false), SIZE / 512, 0, options, FileBackend.INLINE,
        FileBackend.INLINE, holes, null)) {
      Io u = new Io();
      b.unmap(0, 65536, u);
      u.await();
    }
    assertThat(Files.readAllBytes(file)).as("the range was unmapped").startsWith(new byte[65536]);
    return channel.forces.get();
  }

  /**
   * PRE-FETCH: a file read through the page cache takes what fits in the machine's memory and
   * has the kernel read it ahead; with O_DIRECT there is no cache to fill.
   */
  @Test
  void preFetchReadsAheadIntoThePageCacheUnlessDirect() throws Exception {
    Path file = Files.write(dir.resolve("cached.img"), filled(SIZE, 5));
    for (boolean direct : new boolean[] {false, true}) {
      NativeFile nativeFile = NativeFile.open(file, false);
      assumeTrue(nativeFile != null, "no native access here");
      FileBackend b = new FileBackend(FileChannel.open(file, StandardOpenOption.READ),
          new BackingFile.Store("cached", file, false), new Geometry(SIZE, 512, true, false),
          SIZE / 512, 0, new FileBackend.Options(false, false, false, false, direct),
          FileBackend.INLINE, FileBackend.INLINE, nativeFile, null);
      assertThat(b.cacheHolds(SIZE)).isEqualTo(!direct);
      assertThat(b.cacheHolds(NativeFile.PHYSICAL_MEMORY + 1)).isFalse();
      Io io = new Io();
      b.prefetch(4096, 65536, io);
      io.await();
      b.close();
      Io closed = new Io();
      b.prefetch(4096, 65536, closed);
      assertThatThrownBy(closed::await).cause().isInstanceOf(IOException.class)
          .hasMessageContaining("closed");
    }
  }

  /**
   * A read or write that meets an I/O error part way fails with the offset it got to, so that
   * core reports the first block not transferred, whether the buffer is used as it is or goes
   * through the aligned one of O_DIRECT.
   */
  @Test
  void aTransferFailsAtTheOffsetTheErrorStoppedIt() throws Exception {
    Path file = Files.write(dir.resolve("bad.img"), filled(SIZE, 3));
    long bad = 13 * 512 + 100;
    for (boolean direct : new boolean[] {false, true}) {
      ProbedChannel channel = new ProbedChannel(FileChannel.open(file,
          StandardOpenOption.READ, StandardOpenOption.WRITE));
      channel.failAt = bad;
      try (FileBackend b = new FileBackend(channel, new BackingFile.Store("bad", file, false),
          new Geometry(SIZE, 512, false, false), SIZE / 512, 0,
          new FileBackend.Options(false, false, false, false, direct), FileBackend.INLINE,
          FileBackend.INLINE, null, null)) {
        Io read = new Io();
        b.read(10 * 512, ByteBuffer.allocate(8 * 512), read);
        Io write = new Io();
        b.write(10 * 512, ByteBuffer.allocate(8 * 512), false, write);
        for (Io io : new Io[] {read, write}) {
          assertThatThrownBy(io::await).cause().isInstanceOf(MediumException.class)
              .satisfies(e -> assertThat(((MediumException) e).offset()).isEqualTo(bad));
        }
      }
    }
  }

  /**
   * WCE switched off by MODE SELECT: each write is forced as FUA would be, without reopening
   * the channel; SYNCHRONIZE CACHE still forces what was cached before the switch. Switched
   * on again, only FUA and flushes force.
   */
  @Test
  void switchingTheWriteCacheOffForcesEveryWrite() throws Exception {
    Path file = Files.write(dir.resolve("d.img"), new byte[SIZE]);
    ProbedChannel channel = new ProbedChannel(FileChannel.open(file,
        StandardOpenOption.READ, StandardOpenOption.WRITE));
    try (FileBackend b = backend(channel, file, false)) {
      assertThat(b.writeCacheChangeable()).isTrue();
      write(b, false);
      assertThat(channel.forces).as("cached").hasValue(0);
      b.writeCacheEnabled(false);
      assertThat(b.writeCacheEnabled()).isFalse();
      Io f = new Io();
      b.flush(f);
      f.await();
      assertThat(channel.forces).as("what was cached before the switch").hasValue(1);
      write(b, false);
      assertThat(channel.forces).as("write-through").hasValue(2);
      b.writeCacheEnabled(true);
      write(b, false);
      assertThat(channel.forces).hasValue(2);
      write(b, true);
      assertThat(channel.forces).as("FUA").hasValue(3);
    }
  }

  @Test
  void aNonVolatileCacheCannotBeSwitched() throws Exception {
    Path file = Files.write(dir.resolve("nv.img"), new byte[SIZE]);
    try (FileBackend b = backend(FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE), file, true)) {
      assertThat(b.writeCacheChangeable()).isFalse();
      assertThat(b.writeCacheEnabled()).isFalse();
    }
  }

  private static FileBackend backend(FileChannel channel, Path file, boolean nvCache) {
    return new FileBackend(channel, new BackingFile.Store("d", file, false),
        new Geometry(SIZE, 512, false, false), SIZE / 512, 0,
        new FileBackend.Options(nvCache, false, false, false, false), FileBackend.INLINE,
        FileBackend.INLINE, null, null);
  }

  private static void write(FileBackend b, boolean fua) throws Exception {
    Io w = new Io();
    b.write(0, ByteBuffer.wrap(filled(512, 3)), fua, w);
    w.await();
  }

  /**
   * A file's channel that counts how often it is forced and, from {@link #failAt} on, fails
   * positional transfers as a disk with a bad sector does: one that reaches it returns short,
   * the next one from there fails.
   */
  private static final class ProbedChannel extends FileChannel {
    final AtomicInteger forces = new AtomicInteger();
    volatile long failAt = Long.MAX_VALUE;
    private final FileChannel file;

    ProbedChannel(FileChannel file) {
      this.file = file;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      forces.incrementAndGet();
      file.force(metaData);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return file.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return file.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return file.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      return file.write(srcs, offset, length);
    }

    @Override
    public long position() throws IOException {
      return file.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      file.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return file.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      file.truncate(size);
      return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target)
        throws IOException {
      return file.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count)
        throws IOException {
      return file.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      int limit = dst.limit();
      dst.limit(upToTheFailure(dst, position));
      try {
        return file.read(dst, position);
      } finally {
        dst.limit(limit);
      }
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      int limit = src.limit();
      src.limit(upToTheFailure(src, position));
      try {
        return file.write(src, position);
      } finally {
        src.limit(limit);
      }
    }

    /** The limit of a transfer of {@code b} at {@code position} that stops at the failure. */
    private int upToTheFailure(ByteBuffer b, long position) throws IOException {
      if (position >= failAt) {
        throw new IOException("Input/output error");
      }
      return (int) Math.min(b.limit(), b.position() + failAt - position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return file.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return file.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return file.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      file.close();
    }
  }
}
