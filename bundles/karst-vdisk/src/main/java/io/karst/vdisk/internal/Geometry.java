package io.karst.vdisk.internal;

import io.karst.api.device.DeviceConfig;
import io.karst.api.device.DeviceException;
import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;

/**
 * What every vdisk handler has in common: the descriptors of {@code size}, {@code blocksize},
 * {@code read_only} and {@code lb_per_pb_exp} (SCST's names), and their values for one device,
 * checked.
 *
 * <p>The handlers differ only in {@code size}: {@code vdisk_fileio} takes the file's length when
 * it is not given, {@code vdisk_nullio} has a default; and in what {@code lb_per_pb_exp}
 * defaults to and reports. So {@link #size} and {@link #lbPerPbExp} build those descriptors
 * per handler, and {@link #size()} is -1 when a device has no size at all.
 *
 * @param size the capacity in bytes, or -1 when neither given nor defaulted
 * @param blockSize the logical block size: 512, 1024, 2048 or 4096
 * @param readOnly whether writes are refused
 * @param lbPerPbExp whether READ CAPACITY(16) reports the medium's physical block
 */
record Geometry(long size, int blockSize, boolean readOnly, boolean lbPerPbExp) {

  /**
   * The physical block of a medium that is not a block device, as SCST reports it: a page,
   * the unit in which the page cache and most file systems write.
   */
  static final int PAGE = 4096;
  private static final String LB_PER_PB_EXP = "lb_per_pb_exp";

  static final AttributeDescriptor BLOCKSIZE =
      AttributeDescriptor.builder("blocksize", AttributeType.INTEGER).defaultValue("512")
          .createParameter()
          .description("Logical block size in bytes: 512, 1024, 2048 or 4096").build();
  static final AttributeDescriptor READ_ONLY =
      AttributeDescriptor.builder("read_only", AttributeType.BOOLEAN).defaultValue("0")
          .createParameter().description("Refuse writes (DATA PROTECT)").build();

  /**
   * The {@code lb_per_pb_exp} descriptor: a flag, as in SCST (not an exponent, despite its
   * name). With 1, READ CAPACITY(16)'s LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT describes the
   * physical block of the medium, {@code medium} saying what that is; with 0 it is 0.
   */
  static AttributeDescriptor lbPerPbExp(String defaultValue, String medium) {
    return AttributeDescriptor.builder(LB_PER_PB_EXP, AttributeType.BOOLEAN)
        .defaultValue(defaultValue).createParameter()
        .description("Report the physical block (" + medium + ") in READ CAPACITY(16) as "
            + "the logical blocks per physical block exponent; 0 reports 0").build();
  }

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
        flag(config, READ_ONLY), "1".equals(config.attribute(LB_PER_PB_EXP)));
  }

  /**
   * The LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT for a medium whose physical block is
   * {@code physicalBlock} bytes: 0 without {@code lb_per_pb_exp} or when the physical block is
   * not larger than the logical one, at most 15 (the field's four bits).
   */
  int physicalBlockExponent(int physicalBlock) {
    if (!lbPerPbExp || physicalBlock <= blockSize) {
      return 0;
    }
    int exponent = Integer.numberOfTrailingZeros(Integer.highestOneBit(physicalBlock))
        - Integer.numberOfTrailingZeros(blockSize);
    return Math.min(15, exponent);
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
