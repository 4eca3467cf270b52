package io.karst.vdisk.internal;

import io.karst.api.device.DeviceConfig;
import io.karst.api.device.DeviceException;
import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;

/**
 * The attributes every vdisk handler has (size, block size, read-only), and their checks.
 */
record Geometry(long size, int blockSize, boolean readOnly) {

  static final AttributeDescriptor BLOCKSIZE =
      AttributeDescriptor.builder("blocksize", AttributeType.INTEGER).defaultValue("512")
          .createParameter()
          .description("Logical block size in bytes: 512, 1024, 2048 or 4096").build();
  static final AttributeDescriptor READ_ONLY =
      AttributeDescriptor.builder("read_only", AttributeType.BOOLEAN).defaultValue("0")
          .createParameter().description("Refuse writes (DATA PROTECT)").build();

  static AttributeDescriptor size(String defaultValue, String description) {
    AttributeDescriptor.Builder b = AttributeDescriptor.builder("size", AttributeType.SIZE)
        .createParameter().description(description);
    return (defaultValue == null ? b : b.defaultValue(defaultValue)).build();
  }

  /** Reads the geometry of a device; {@code size} is -1 when neither given nor defaulted. */
  static Geometry of(DeviceConfig config) throws DeviceException {
    int blockSize = Integer.parseInt(config.attribute(BLOCKSIZE.name()));
    if (blockSize != 512 && blockSize != 1024 && blockSize != 2048 && blockSize != 4096) {
      throw new DeviceException(config.name() + ": blocksize " + blockSize
          + " is not 512, 1024, 2048 or 4096");
    }
    String size = config.attribute("size");
    return new Geometry(size == null ? -1 : Long.parseLong(size), blockSize,
        "1".equals(config.attribute(READ_ONLY.name())));
  }

  /** The capacity in whole blocks of a medium of {@code bytes}; refuses one with none. */
  long blocks(String device, long bytes) throws DeviceException {
    long blocks = bytes / blockSize;
    if (blocks < 1) {
      throw new DeviceException(device + ": " + bytes + " bytes hold no " + blockSize
          + "-byte block");
    }
    return blocks;
  }
}
