package io.karst.vdisk.internal;

import static io.karst.vdisk.internal.Geometry.flag;

import io.karst.api.device.Backend;
import io.karst.api.device.DeviceConfig;
import io.karst.api.device.DeviceException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens the file or block device behind a {@code vdisk_fileio} or {@code vdisk_blockio} device:
 * the attributes both share (filename, size, create, blocksize, read_only, nv_cache,
 * write_through, rotational, thin_provisioned, lb_per_pb_exp), checked with clear errors.
 *
 * <p>Opening is idempotent with respect to data, since core opens the same device again each
 * time the handler comes back: an existing file is never truncated or rewritten. With
 * {@code create 1} a missing file is created sparse at {@code size}, and a shorter one is
 * extended, sparse, to it; without, a {@code size} beyond the file is an error. A {@code size}
 * below the file's length exposes only that much; no {@code size} exposes the whole file. Either
 * way the capacity is rounded down to whole blocks. A block device is never created or extended;
 * its length comes from the kernel (sysfs), as NIO reports 0 for it, and so does the physical
 * block {@code lb_per_pb_exp} reports (a file's is a {@linkplain Geometry#PAGE page}).
 */
final class BackingFile {

  private BackingFile() {}

  /**
   * @param direct bypass the page cache (O_DIRECT)
   * @param inline whether a file in memory may be served on the calling thread
   */
  static Backend open(DeviceConfig config, boolean direct, boolean inline)
      throws DeviceException {
    Geometry g = Geometry.of(config);
    Path file = config.dataDirectory().resolve(config.attribute(FileIoHandler.FILENAME.name()));
    boolean create = flag(config, FileIoHandler.CREATE);
    FileBackend.Options options = new FileBackend.Options(flag(config, FileIoHandler.NV_CACHE),
        flag(config, FileIoHandler.WRITE_THROUGH), flag(config, FileIoHandler.ROTATIONAL),
        flag(config, FileIoHandler.THIN_PROVISIONED), direct);
    String device = config.name();
    if (Files.isDirectory(file)) {
      throw new DeviceException(device + ": " + file + " is a directory");
    }
    boolean blockDevice = isBlockDevice(file);
    if (!Files.exists(file)) {
      if (!create) {
        throw new DeviceException(device + ": " + file + ": no such file (set create 1 to "
            + "create it)");
      }
      if (g.size() < 0) {
        throw new DeviceException(device + ": size is needed to create " + file);
      }
    }
    try {
      if (create && !blockDevice) {
        grow(file, g.size());
      }
      FileChannel channel = FileChannel.open(file, openOptions(g.readOnly(),
          options.writeThrough(), direct));
      try {
        Store store = new Store(device, file, blockDevice);
        long length = store.length();
        if (g.size() > length) {
          throw new DeviceException(device + ": size " + g.size() + " is larger than " + file
              + " (" + length + " bytes)" + (blockDevice ? "" : "; set create 1 to extend it"));
        }
        long blocks = g.blocks(device, g.size() < 0 ? length : g.size());
        // Punching needs the descriptor of a thin file, reading ahead that of a cached one.
        boolean punch = options.thin() && !g.readOnly();
        NativeFile nativeFile = punch || !direct ? NativeFile.open(file, punch) : null;
        int exponent = g.physicalBlockExponent(
            blockDevice && g.lbPerPbExp() ? physicalBlockBytes(file) : Geometry.PAGE);
        return new FileBackend(channel, store, g, blocks, exponent, options,
            inline && inMemory(file) ? FileBackend.INLINE : config.ioExecutor(),
            config.ioExecutor(), nativeFile,
            options.thin() && !blockDevice ? Files.getFileStore(file) : null);
      } catch (DeviceException | IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException e) {
      String hint = e instanceof AccessDeniedException && !g.readOnly()
          ? " (opened for reading and writing; read_only 1 opens it for reading only)"
          : direct ? " (opened with O_DIRECT: does the file system support it?)" : "";
      throw new DeviceException(device + ": " + file + ": " + reason(e) + hint, e);
    }
  }

  /**
   * What went wrong, in words: NIO's file system exceptions carry the path as their message
   * and the reason in their type (an unreadable file is an AccessDeniedException whose message
   * is only its name).
   */
  static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof FileSystemException f) {
      return f.getReason() != null ? f.getReason() : "cannot be opened";
    }
    return e.getMessage();
  }

  private static OpenOption[] openOptions(boolean readOnly, boolean writeThrough,
      boolean direct) throws DeviceException {
    List<OpenOption> options = new ArrayList<>(List.of(StandardOpenOption.READ));
    if (!readOnly) {
      options.add(StandardOpenOption.WRITE);
    }
    if (writeThrough) {
      options.add(StandardOpenOption.DSYNC);
    }
    if (direct) {
      options.add(directOption());
    }
    return options.toArray(OpenOption[]::new);
  }

  /**
   * The JDK's O_DIRECT open option. Looked up by name: its package (com.sun.nio.file) is one
   * the OSGi framework delegates to the JDK rather than one a bundle imports.
   */
  private static OpenOption directOption() throws DeviceException {
    try {
      return (OpenOption) Class.forName("com.sun.nio.file.ExtendedOpenOption")
          .getField("DIRECT").get(null);
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new DeviceException("this JDK has no O_DIRECT open option", e);
    }
  }

  /** Whether the file lives in memory, where reads and writes are copies that never block. */
  static boolean inMemory(Path file) throws IOException {
    String type = Files.getFileStore(file).type();
    return type.equals("tmpfs") || type.equals("ramfs");
  }

  private static boolean isBlockDevice(Path file) {
    return Files.exists(file) && !Files.isRegularFile(file) && !Files.isDirectory(file);
  }

  /** A block device's length in bytes, from /sys/dev/block/MAJOR:MINOR/size (in 512s). */
  private static long blockDeviceBytes(Path device) throws IOException {
    return sysfsNumber(sysfs(device).resolve("size")) * 512;
  }

  /**
   * A block device's physical block in bytes, from its request queue in sysfs; a partition has
   * none of its own and shares the disk's, one directory up.
   */
  private static int physicalBlockBytes(Path device) throws IOException {
    Path dir = sysfs(device).toRealPath();
    Path queue = Files.isDirectory(dir.resolve("queue")) ? dir.resolve("queue")
        : dir.resolveSibling("queue");
    return (int) sysfsNumber(queue.resolve("physical_block_size"));
  }

  /** The sysfs directory of a block device, /sys/dev/block/MAJOR:MINOR. */
  private static Path sysfs(Path device) throws IOException {
    long rdev = ((Number) Files.getAttribute(device, "unix:rdev")).longValue();
    long major = ((rdev >>> 8) & 0xFFF) | ((rdev >>> 32) & ~0xFFFL);
    long minor = (rdev & 0xFF) | ((rdev >>> 12) & ~0xFFL);
    return Path.of("/sys/dev/block", major + ":" + minor);
  }

  private static long sysfsNumber(Path file) throws IOException {
    try {
      return Long.parseLong(Files.readString(file).trim());
    } catch (IOException | NumberFormatException e) {
      throw new IOException("not a block device with a number in " + file, e);
    }
  }

  /**
   * The file or block device of a running device, for a size that changes at run time.
   *
   * @param device the device's name, for messages
   */
  record Store(String device, Path file, boolean blockDevice) {

    /** The length in bytes now: the file's, or the block device's from the kernel. */
    long length() throws IOException {
      return blockDevice ? blockDeviceBytes(file) : Files.size(file);
    }

    /**
     * Makes room for {@code size} bytes: extends a file, sparse; a block device cannot grow,
     * so a size beyond it is refused.
     */
    void reserve(long size) throws DeviceException {
      try {
        long length = length();
        if (size <= length) {
          return;
        }
        if (blockDevice) {
          throw new DeviceException(device + ": size " + size + " is larger than " + file
              + " (" + length + " bytes)");
        }
        grow(file, size);
      } catch (IOException e) {
        throw new DeviceException(device + ": " + file + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Creates the file, or extends it, sparse, to {@code size} bytes ({@code setLength} only
   * moves the end of file); never shrinks it, so existing data is untouched.
   */
  private static void grow(Path file, long size) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      if (size > f.length()) {
        f.setLength(size);
      }
    }
  }
}
