package io.karst.vdisk.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A file's own native descriptor, for what NIO does not offer, opened next to the device's
 * {@link java.nio.channels.FileChannel} (both name the same inode, and so the same page cache).
 *
 * <p>{@link #punch} deallocates ranges with Linux's {@code fallocate(FALLOC_FL_PUNCH_HOLE |
 * FALLOC_FL_KEEP_SIZE)}: the blocks go back to the file system and read as zeros, the file keeps
 * its length. {@link #seek} tells where the file's data and holes are (lseek's SEEK_DATA and
 * SEEK_HOLE), for GET LBA STATUS. {@link #willNeed} starts reading a range into the page cache
 * ({@code posix_fadvise(POSIX_FADV_WILLNEED)}), for PRE-FETCH.
 *
 * <p>{@link #open} answers null where this cannot work (not Linux, no native access, a file that
 * cannot be opened), and {@link #punch} false where the file system does not support it
 * (EOPNOTSUPP); the caller then writes zeros instead.
 *
 * <p>A descriptor number is reused by the next file the process opens once it is closed, so a
 * punch that ran after {@link #close} could deallocate another file's data: an unmap still
 * queued on the I/O threads when core gives up waiting for the device's commands and closes it.
 * Each call holds a read lock across its native call and {@link #close} the write lock, so close
 * waits for the calls running and every later call fails as on a closed file.
 */
final class NativeFile implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(NativeFile.class.getName());
  private static final int O_RDONLY = 0;
  private static final int O_WRONLY = 1;
  private static final int O_CLOEXEC = 0x80000;
  private static final int FALLOC_FL_KEEP_SIZE = 0x01;
  private static final int FALLOC_FL_PUNCH_HOLE = 0x02;
  private static final int EOPNOTSUPP = 95;
  private static final int ENXIO = 6;
  private static final int SEEK_DATA = 3;
  private static final int SEEK_HOLE = 4;
  private static final int POSIX_FADV_WILLNEED = 3;
  private static final int SC_PAGESIZE = 30;
  private static final int SC_PHYS_PAGES = 85;

  /** The C library functions used, bound by JNA. */
  interface LibC extends Library {
    int open(String path, int flags) throws LastErrorException;

    int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;

    long lseek(int fd, long offset, int whence) throws LastErrorException;

    /** Returns the error number rather than setting errno. */
    int posix_fadvise(int fd, long offset, long length, int advice);

    long sysconf(int name);

    int close(int fd) throws LastErrorException;
  }

  private static final LibC LIBC = load();
  /** The machine's memory in bytes, which the page cache cannot exceed; 0 when unknown. */
  static final long PHYSICAL_MEMORY =
      LIBC == null ? 0 : LIBC.sysconf(SC_PHYS_PAGES) * LIBC.sysconf(SC_PAGESIZE);

  private final int fd;
  /** Read-held across each native call on {@link #fd}, write-held to close it. */
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  /** Set under the write lock: {@link #fd} may name another file now. */
  private boolean closed;

  private NativeFile(int fd) {
    this.fd = fd;
  }

  private static LibC load() {
    if (!System.getProperty("os.name", "").equals("Linux")) {
      return null;
    }
    try {
      return Native.load("c", LibC.class);
    } catch (LinkageError | RuntimeException e) {
      LOG.log(Level.WARNING, "no native access (" + e + "): thin provisioned files are zeroed "
          + "on UNMAP instead of deallocated");
      return null;
    }
  }

  /**
   * The file's descriptor, opened for writing when holes are to be punched in it, or null when
   * this platform or file does not allow it.
   */
  static NativeFile open(Path file, boolean punch) {
    if (LIBC == null) {
      return null;
    }
    try {
      return new NativeFile(LIBC.open(file.toString(), (punch ? O_WRONLY : O_RDONLY)
          | O_CLOEXEC));
    } catch (LastErrorException e) {
      LOG.log(Level.WARNING, file + ": cannot open it (errno " + e.getErrorCode() + "): "
          + (punch ? "UNMAP zeroes instead" : "PRE-FETCH leaves it to the reads"));
      return null;
    }
  }

  /**
   * Deallocates {@code length} bytes at {@code offset}; false when the file system cannot.
   *
   * @throws IOException on any other failure, with the errno, or when the descriptor is closed
   */
  boolean punch(long offset, long length) throws IOException {
    Lock held = lock.readLock();
    held.lock();
    try {
      if (closed) {
        throw new IOException("fallocate(PUNCH_HOLE) at " + offset + " for " + length
            + " bytes: the device's file is closed");
      }
      LIBC.fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
      return true;
    } catch (LastErrorException e) {
      if (e.getErrorCode() == EOPNOTSUPP) {
        return false;
      }
      throw new IOException("fallocate(PUNCH_HOLE) at " + offset + " for " + length
          + " bytes failed: errno " + e.getErrorCode(), e);
    } finally {
      held.unlock();
    }
  }

  /**
   * The first offset at or after {@code offset} that holds data ({@code data}) or is a hole,
   * at most {@code end}, where the file's length ends both; -1 when the file system cannot
   * tell or the descriptor is closed.
   */
  long seek(long offset, boolean data, long end) {
    Lock held = lock.readLock();
    held.lock();
    try {
      if (closed) {
        return -1;
      }
      return Math.min(end, LIBC.lseek(fd, offset, data ? SEEK_DATA : SEEK_HOLE));
    } catch (LastErrorException e) {
      // ENXIO: no data from the offset to the end of the file.
      return e.getErrorCode() == ENXIO ? (data ? end : offset) : -1;
    } finally {
      held.unlock();
    }
  }

  /**
   * Starts reading {@code length} bytes at {@code offset} into the page cache, without waiting
   * for them.
   *
   * @throws IOException when the kernel refuses, with the errno, or the descriptor is closed
   */
  void willNeed(long offset, long length) throws IOException {
    Lock held = lock.readLock();
    held.lock();
    try {
      int error = closed ? -1 : LIBC.posix_fadvise(fd, offset, length, POSIX_FADV_WILLNEED);
      if (error != 0) {
        throw new IOException("posix_fadvise(WILLNEED) at " + offset + " for " + length
            + " bytes: " + (closed ? "the device's file is closed" : "errno " + error));
      }
    } finally {
      held.unlock();
    }
  }

  /** Waits for the calls running on the descriptor, then closes it; later calls fail. */
  @Override
  public void close() {
    Lock held = lock.writeLock();
    held.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      LIBC.close(fd);
    } catch (LastErrorException e) {
      // Only this descriptor is affected, and it is gone either way.
    } finally {
      held.unlock();
    }
  }
}
