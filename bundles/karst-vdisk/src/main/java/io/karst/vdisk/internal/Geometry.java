package io.karst.vdisk.internal;

import io.karst.api.device.DeviceConfig;
import io.karst.api.device.DeviceException;
import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;

/**
 * What every vdisk handler has in common: the descriptors of {@code size}, {@code blocksize} and
 * {@code read_only} (SCST's names), and their values for one device, checked.
 *
 * <p>The handlers differ only in {@code size}: {@code vdisk_fileio} takes the file's length when
 * it is not given, {@code vdisk_nullio} has a default. So {@link #size} builds that descriptor
 * per handler, and {@link #size()} is -1 when a device has no size at all.
 *
 * @param size the capacity in bytes, or -1 when neither given nor defaulted
 * @param blockSize the logical block size: 512, 1024, 2048 or 4096
 * @param readOnly whether writes are refused
 */
record Geometry(long size, int blockSize, boolean readOnly) {

  static final AttributeDescriptor BLOCKSIZE =
      AttributeDescriptor.builder("blocksize", AttributeType.INTEGER).defaultValue("512")
          .createParameter()
          .description("Logical block size in bytes: 512, 1024, 2048 or 4096").build();
  static final AttributeDescriptor READ_ONLY =
      AttributeDescriptor.builder("read_only", AttributeType.BOOLEAN).defaultValue("0")
          .createParameter().description("Refuse writes (DATA PROTECT)").build();

  /**
   * The {@code size} descriptor; {@code defaultValue} is null for none. Writable, as SCST's
   * {@code size} of blockio and nullio devices: the backend changes its capacity in place.
   */
  static AttributeDescriptor size(String defaultValue, String description) {
    return AttributeDescriptor.builder("size", AttributeType.SIZE).defaultValue(defaultValue)
        .createParameter().writable().description(description).build();
  }

  /** Reads and checks the geometry of a device. */
  static Geometry of(DeviceConfig config) throws DeviceException {
    int blockSize = Integer.parseInt(config.attribute(BLOCKSIZE.name()));
    if (blockSize != 512 && blockSize != 1024 && blockSize != 2048 && blockSize != 4096) {
      throw new DeviceException(config.name() + ": blocksize " + blockSize
          + " is not 512, 1024, 2048 or 4096");
    }
    String size = config.attribute("size");
    return new Geometry(size == null ? -1 : Long.parseLong(size), blockSize,
        flag(config, READ_ONLY));
  }

  /**
   * A boolean attribute of a device. Core hands values over canonical and with defaults filled
   * in, so "1" is the only way a device says yes.
   */
  static boolean flag(DeviceConfig config, AttributeDescriptor attribute) {
    return "1".equals(config.attribute(attribute.name()));
  }

  /**
   * The capacity in whole blocks of a medium of {@code bytes}: a partial last block is not
   * addressable. Refuses a medium without a single block.
   */
  long blocks(String device, long bytes) throws DeviceException {
    long blocks = bytes / blockSize;
    if (blocks < 1) {
      throw new DeviceException(device + ": " + bytes + " bytes hold no " + blockSize
          + "-byte block");
    }
    return blocks;
  }
}
