package io.karst.vdisk.internal;

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
import java.util.concurrent.Executor;
import org.osgi.service.component.annotations.Component;

/**
 * Handler {@code vdisk_fileio}: a device backed by a file, through {@link FileChannel}
 * positional I/O on the device's I/O threads. With {@code create 1} a missing file is created
 * sparse at {@code size}; an existing file is never truncated or rewritten.
 *
 * <p>A file in memory (tmpfs, ramfs) is served on the calling thread: its I/O is a memory copy
 * that never waits for a device, so the two thread hand-offs would cost more than the work.
 */
@Component(service = DeviceHandler.class)
public final class FileIoHandler implements DeviceHandler {

  static final AttributeDescriptor FILENAME =
      AttributeDescriptor.builder("filename", AttributeType.PATH).required().createParameter()
          .description("The backing file; relative names resolve against the data directory")
          .build();
  static final AttributeDescriptor CREATE =
      AttributeDescriptor.builder("create", AttributeType.BOOLEAN).defaultValue("0")
          .createParameter()
          .description("Create a missing file, sparse, at size bytes; grow a smaller one")
          .build();
  static final AttributeDescriptor NV_CACHE =
      AttributeDescriptor.builder("nv_cache", AttributeType.BOOLEAN).defaultValue("0")
          .createParameter()
          .description("The cache below is non-volatile: SYNCHRONIZE CACHE and FUA do not "
              + "flush").build();
  static final AttributeDescriptor WRITE_THROUGH =
      AttributeDescriptor.builder("write_through", AttributeType.BOOLEAN).defaultValue("0")
          .createParameter()
          .description("Every write is durable before it completes (O_DSYNC); reports WCE 0")
          .build();
  static final AttributeDescriptor ROTATIONAL =
      AttributeDescriptor.builder("rotational", AttributeType.BOOLEAN).defaultValue("0")
          .createParameter().description("Report a rotating medium").build();

  private static final List<AttributeDescriptor> ATTRIBUTES = List.of(FILENAME,
      Geometry.size(null, "Capacity in bytes (K, M, G, T suffixes); the file's length when "
          + "not given"),
      CREATE, Geometry.BLOCKSIZE, Geometry.READ_ONLY, NV_CACHE, WRITE_THROUGH, ROTATIONAL);

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
    boolean create = "1".equals(config.attribute(CREATE.name()));
    boolean writeThrough = "1".equals(config.attribute(WRITE_THROUGH.name()));
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
      List<OpenOption> options = new ArrayList<>(List.of(StandardOpenOption.READ));
      if (!g.readOnly()) {
        options.add(StandardOpenOption.WRITE);
      }
      if (writeThrough) {
        options.add(StandardOpenOption.DSYNC);
      }
      FileChannel channel = FileChannel.open(file, options.toArray(OpenOption[]::new));
      long length = channel.size();
      if (g.size() > length) {
        channel.close();
        throw new DeviceException(device + ": size " + g.size() + " is larger than " + file
            + " (" + length + " bytes); set create 1 to grow it");
      }
      long blocks = g.blocks(device, g.size() < 0 ? length : g.size());
      Executor io = inMemory(file) ? Runnable::run : config.ioExecutor();
      return new FileBackend(channel, g, blocks, io,
          "1".equals(config.attribute(NV_CACHE.name())), !writeThrough,
          "1".equals(config.attribute(ROTATIONAL.name())));
    } catch (IOException e) {
      throw new DeviceException(device + ": " + file + ": " + e.getMessage(), e);
    }
  }

  /** Whether the file lives in memory, where reads and writes are copies that never block. */
  static boolean inMemory(Path file) throws IOException {
    String type = Files.getFileStore(file).type();
    return type.equals("tmpfs") || type.equals("ramfs");
  }

  /** Creates the file, or extends it, sparse, to {@code size} bytes; never shrinks it. */
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
