package io.karst.vdisk.internal;

import static io.karst.vdisk.internal.Geometry.flag;

import io.karst.api.device.Backend;
import io.karst.api.device.DeviceConfig;
import io.karst.api.device.DeviceException;
import io.karst.api.device.DeviceHandler;
import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/**
 * Handler {@code vdisk_fileio}: a device backed by a file, through {@link FileChannel}
 * positional I/O on the device's I/O threads ({@link FileBackend}).
 *
 * <p>Opening is idempotent with respect to data, since core opens the same device again each
 * time the handler comes back: an existing file is never truncated or rewritten. With
 * {@code create 1} a missing file is created sparse at {@code size}, and a shorter one is
 * extended, sparse, to it; without, a {@code size} beyond the file is an error. A {@code size}
 * below the file's length exposes only that much; no {@code size} exposes the whole file. Either
 * way the capacity is rounded down to whole blocks.
 *
 * <p>A file in memory (tmpfs, ramfs) is served on the calling thread: its I/O is a memory copy
 * that never waits for a device, so the two thread hand-offs would cost more than the work.
 */
@Component(service = DeviceHandler.class)
public final class FileIoHandler implements DeviceHandler {

  static final AttributeDescriptor FILENAME =
      AttributeDescriptor.builder("filename", AttributeType.PATH).required()
          .description("The backing file; relative names resolve against the data directory")
          .build();
  static final AttributeDescriptor CREATE =
      AttributeDescriptor.builder("create", AttributeType.BOOLEAN).defaultValue("0")
          .createParameter()
          .description("Create a missing file, sparse, at size bytes; extend a shorter one")
          .build();
  static final AttributeDescriptor NV_CACHE =
      AttributeDescriptor.builder("nv_cache", AttributeType.BOOLEAN).defaultValue("0")
          .createParameter()
          .description("The cache below is non-volatile: SYNCHRONIZE CACHE and FUA do not "
              + "flush, WCE 0").build();
  static final AttributeDescriptor WRITE_THROUGH =
      AttributeDescriptor.builder("write_through", AttributeType.BOOLEAN).defaultValue("0")
          .createParameter()
          .description("Every write is durable before it completes (O_DSYNC); WCE 0")
          .build();
  static final AttributeDescriptor ROTATIONAL =
      AttributeDescriptor.builder("rotational", AttributeType.BOOLEAN).defaultValue("0")
          .createParameter().description("Report a rotating medium").build();
  static final AttributeDescriptor THIN_PROVISIONED =
      AttributeDescriptor.builder("thin_provisioned", AttributeType.BOOLEAN).defaultValue("0")
          .createParameter()
          .description("Offer UNMAP and WRITE SAME with UNMAP: the blocks are deallocated "
              + "(a hole is punched) and read as zeros; where the file system cannot punch "
              + "holes they are overwritten with zeros").build();

  private static final List<AttributeDescriptor> ATTRIBUTES = List.of(FILENAME,
      Geometry.size(null, "Capacity in bytes (K, M, G, T suffixes); the file's length when "
          + "not given; needed to create the file"),
      CREATE, Geometry.BLOCKSIZE, Geometry.READ_ONLY, NV_CACHE, WRITE_THROUGH, ROTATIONAL,
      THIN_PROVISIONED);

  @Override
  public String name() {
    return "vdisk_fileio";
  }

  @Override
  public List<AttributeDescriptor> deviceAttributes() {
    return ATTRIBUTES;
  }

  @Override
  public Backend open(DeviceConfig config) throws DeviceException {
    Geometry g = Geometry.of(config);
    Path file = config.dataDirectory().resolve(config.attribute(FILENAME.name()));
    boolean create = flag(config, CREATE);
    FileBackend.Options options = new FileBackend.Options(flag(config, NV_CACHE),
        flag(config, WRITE_THROUGH), flag(config, ROTATIONAL), flag(config, THIN_PROVISIONED));
    String device = config.name();
    if (Files.isDirectory(file)) {
      throw new DeviceException(device + ": " + file + " is a directory");
    }
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
      if (create) {
        grow(file, g.size());
      }
      FileChannel channel = FileChannel.open(file, openOptions(g.readOnly(),
          options.writeThrough()));
      try {
        long length = channel.size();
        if (g.size() > length) {
          throw new DeviceException(device + ": size " + g.size() + " is larger than " + file
              + " (" + length + " bytes); set create 1 to extend it");
        }
        long blocks = g.blocks(device, g.size() < 0 ? length : g.size());
        HolePunch holes = options.thin() && !g.readOnly() ? HolePunch.open(file) : null;
        return new FileBackend(channel, g, blocks, options,
            inMemory(file) ? FileBackend.INLINE : config.ioExecutor(), config.ioExecutor(),
            holes);
      } catch (DeviceException | IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException e) {
      throw new DeviceException(device + ": " + file + ": " + e.getMessage(), e);
    }
  }

  private static OpenOption[] openOptions(boolean readOnly, boolean writeThrough) {
    List<OpenOption> options = new ArrayList<>(List.of(StandardOpenOption.READ));
    if (!readOnly) {
      options.add(StandardOpenOption.WRITE);
    }
    if (writeThrough) {
      options.add(StandardOpenOption.DSYNC);
    }
    return options.toArray(OpenOption[]::new);
  }

  /** Whether the file lives in memory, where reads and writes are copies that never block. */
  static boolean inMemory(Path file) throws IOException {
    String type = Files.getFileStore(file).type();
    return type.equals("tmpfs") || type.equals("ramfs");
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
