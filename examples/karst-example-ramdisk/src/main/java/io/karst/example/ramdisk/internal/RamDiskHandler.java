package io.karst.example.ramdisk.internal;

import io.karst.api.device.Backend;
import io.karst.api.device.DeviceConfig;
import io.karst.api.device.DeviceException;
import io.karst.api.device.DeviceHandler;
import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/**
 * Handler {@code example_ramdisk}: logical units kept in memory, for tests, scratch space and
 * as the example a vendor copies. Registered as a {@link DeviceHandler} service, which is all
 * core needs: core finds it by {@link #name()}, opens the devices the configuration gives it,
 * and takes them offline when this bundle stops.
 *
 * <p>The attributes are described here, once, and core checks every value against them
 * before {@link #open} sees it, so the shell, the configuration file and JMX list, check and
 * document them without knowing this handler.
 */
@Component(service = DeviceHandler.class)
public final class RamDiskHandler implements DeviceHandler {

  static final String NAME = "example_ramdisk";

  static final AttributeDescriptor SIZE =
      AttributeDescriptor.builder("size", AttributeType.SIZE).defaultValue("64M")
          .createParameter().writable()
          .description("Capacity in bytes (K, M, G, T suffixes); changing it resizes the disk "
              + "in place, and a shrink discards what lay beyond the new end")
          .build();
  static final AttributeDescriptor BLOCKSIZE =
      AttributeDescriptor.builder("blocksize", AttributeType.INTEGER).defaultValue("512")
          .createParameter()
          .description("Logical block size in bytes: 512, 1024, 2048 or 4096").build();
  static final AttributeDescriptor CHUNK_SIZE =
      AttributeDescriptor.builder("chunk_size", AttributeType.SIZE).defaultValue("64K")
          .createParameter()
          .description("Memory is allocated in chunks of this many bytes, on the first write "
              + "of other than zeros to a chunk: a power of two from 4K to 16M, at least "
              + "blocksize")
          .build();

  private static final List<AttributeDescriptor> ATTRIBUTES =
      List.of(SIZE, BLOCKSIZE, CHUNK_SIZE);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<AttributeDescriptor> deviceAttributes() {
    return ATTRIBUTES;
  }

  /** Checks the geometry; nothing is allocated until the first write. */
  @Override
  public Backend open(DeviceConfig config) throws DeviceException {
    int blockSize = Integer.parseInt(config.attribute(BLOCKSIZE.name()));
    if (blockSize != 512 && blockSize != 1024 && blockSize != 2048 && blockSize != 4096) {
      throw new DeviceException(config.name() + ": blocksize " + blockSize
          + " is not 512, 1024, 2048 or 4096");
    }
    long chunk = Long.parseLong(config.attribute(CHUNK_SIZE.name()));
    if (Long.bitCount(chunk) != 1 || chunk < RamDisk.MIN_CHUNK || chunk > RamDisk.MAX_CHUNK
        || chunk < blockSize) {
      throw new DeviceException(config.name() + ": chunk_size " + chunk + " is not a power of "
          + "two from 4K to 16M of at least blocksize (" + blockSize + ")");
    }
    return new RamDisk(config.name(), blockSize, (int) chunk,
        Long.parseLong(config.attribute(SIZE.name())));
  }
}
