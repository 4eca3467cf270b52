package io.karst.vcdrom.internal;

import io.karst.api.device.DeviceException;
import io.karst.api.device.MediumException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A disc in the drive: an ISO image, a file of 2048-byte sectors (ISO 9660 and UDF images are
 * nothing else), opened read-only. A trailing partial sector cannot be addressed and is not
 * counted, as in SCST.
 *
 * <p>A disc taken out while reads of it are in flight stays open until the last of them ends:
 * the drive holds one reference and each read another.
 */
final class Disc {

  static final int BLOCK_SIZE = 2048;
  /**
   * The most sectors a CD holds (80 minutes at 75 sectors a second); a larger image is a
   * DVD-ROM, as QEMU decides.
   */
  static final long CD_MAX_BLOCKS = 80L * 60 * 75;

  final Path file;
  final long blocks;
  private final FileChannel channel;
  private final AtomicInteger references = new AtomicInteger(1);

  private Disc(Path file, FileChannel channel, long blocks) {
    this.file = file;
    this.channel = channel;
    this.blocks = blocks;
  }

  /** Opens an image, or says in words an administrator can act on why it cannot be. */
  static Disc open(Path file) throws DeviceException {
    if (Files.isDirectory(file)) {
      throw new DeviceException("ISO image " + file + " is a directory");
    }
    if (Files.exists(file) && !Files.isRegularFile(file)) {
      // A device node's length reads as 0 here; images are what vcdrom serves.
      throw new DeviceException("ISO image " + file + " is not a regular file: vcdrom serves "
          + "image files (make one with dd, or serve the device with vdisk_blockio)");
    }
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new DeviceException("ISO image " + file + " does not exist", e);
    } catch (AccessDeniedException e) {
      throw new DeviceException("ISO image " + file + " cannot be read: permission denied", e);
    } catch (IOException e) {
      throw new DeviceException("ISO image " + file + " cannot be opened: " + e.getMessage(), e);
    }
    try {
      long blocks = channel.size() / BLOCK_SIZE;
      if (blocks < 1) {
        throw new DeviceException("ISO image " + file + " holds no whole 2048-byte sector ("
            + channel.size() + " bytes)");
      }
      return new Disc(file, channel, blocks);
    } catch (IOException | DeviceException e) {
      closeQuietly(channel);
      if (e instanceof DeviceException d) {
        throw d;
      }
      throw new DeviceException("ISO image " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  /** Whether the disc is a DVD-ROM rather than a CD-ROM, by its size. */
  boolean dvd() {
    return blocks > CD_MAX_BLOCKS;
  }

  /** Takes a reference for a read; false once the disc is closed. */
  boolean acquire() {
    int n;
    do {
      n = references.get();
      if (n == 0) {
        return false;
      }
    } while (!references.compareAndSet(n, n + 1));
    return true;
  }

  /** Drops a reference; the last one closes the file. */
  void release() {
    if (references.decrementAndGet() == 0) {
      closeQuietly(channel);
    }
  }

  /**
   * Reads {@code dst.remaining()} bytes from sector {@code lba} on. Blocks; the caller holds a
   * reference.
   *
   * @throws MediumException at the first sector that could not be read
   */
  void read(long lba, ByteBuffer dst) throws MediumException {
    long position = lba * BLOCK_SIZE;
    while (dst.hasRemaining()) {
      int n;
      try {
        n = channel.read(dst, position);
      } catch (IOException e) {
        throw failedAt(position, e.toString(), e);
      }
      if (n < 0) {
        throw failedAt(position, file + " ends there: it was truncated", null);
      }
      position += n;
    }
  }

  private static MediumException failedAt(long position, String message, Throwable cause) {
    return new MediumException(position, "sector " + position / BLOCK_SIZE + ": " + message,
        cause);
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing was written: there is nothing to lose
    }
  }
}
