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
 * Deallocates ranges of a file with Linux's {@code fallocate(FALLOC_FL_PUNCH_HOLE |
 * FALLOC_FL_KEEP_SIZE)}, which NIO does not offer: the blocks go back to the file system and
 * read as zeros, the file keeps its length. It works on a descriptor of its own for the file,
 * opened next to the device's {@link java.nio.channels.FileChannel}: both name the same inode.
 *
 * <p>The same descriptor tells where the file's data and holes are ({@link #seek}, lseek's
 * SEEK_DATA and SEEK_HOLE), for GET LBA STATUS.
 *
 * <p>{@link #open} answers null where punching cannot work (not Linux, no native access, a
 * file that cannot be opened for writing), and {@link #punch} false where the file system does
 * not support it (EOPNOTSUPP); the caller then writes zeros instead.
 *
 * <p>A descriptor number is reused by the next file the process opens once it is closed, so a
 * punch that ran after {@link #close} could deallocate another file's data: an unmap still
 * queued on the I/O threads when core gives up waiting for the device's commands and closes it.
 * Each call holds a read lock across its native call and {@link #close} the write lock, so close
 * waits for the calls running and every later call fails as on a closed file.
 */
final class HolePunch implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(HolePunch.class.getName());
  private static final int O_WRONLY = 1;
  private static final int O_CLOEXEC = 0x80000;
  private static final int FALLOC_FL_KEEP_SIZE = 0x01;
  private static final int FALLOC_FL_PUNCH_HOLE = 0x02;
  private static final int EOPNOTSUPP = 95;
  private static final int ENXIO = 6;
  private static final int SEEK_DATA = 3;
  private static final int SEEK_HOLE = 4;

  /** The C library functions used, bound by JNA. */
  interface LibC extends Library {
    int open(String path, int flags) throws LastErrorException;

    int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;

    long lseek(int fd, long offset, int whence) throws LastErrorException;

    int close(int fd) throws LastErrorException;
  }

  private static final LibC LIBC = load();

  private final int fd;
  /** Read-held across each native call on {@link #fd}, write-held to close it. */
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  /** Set under the write lock: {@link #fd} may name another file now. */
  private boolean closed;

  private HolePunch(int fd) {
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

  /** A puncher for the file, or null when this platform or file cannot have holes punched. */
  static HolePunch open(Path file) {
    if (LIBC == null) {
      return null;
    }
    try {
      return new HolePunch(LIBC.open(file.toString(), O_WRONLY | O_CLOEXEC));
    } catch (LastErrorException e) {
      LOG.log(Level.WARNING, file + ": cannot open it to punch holes (errno "
          + e.getErrorCode() + "): UNMAP zeroes instead");
      return null;
    }
  }

  /**
   * Deallocates {@code length} bytes at {@code offset}; false when the file system cannot.
   *
   * @throws IOException on any other failure, with the errno, or when the puncher is closed
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
   * tell or the puncher is closed.
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
