package io.karst.vdisk.internal;

import static io.karst.vdisk.internal.Geometry.flag;

import io.karst.api.device.Backend;
import io.karst.api.device.DeviceConfig;
import io.karst.api.device.DeviceException;
import io.karst.api.device.DeviceHandler;
import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/**
 * Handler {@code vdisk_fileio}: a device backed by a file (or a block device), through
 * {@link java.nio.channels.FileChannel} positional I/O on the device's I/O threads
 * ({@link FileBackend}), opened as {@link BackingFile} describes; with {@code o_direct} the page
 * cache is bypassed.
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
          .description("Every write is durable before it completes (O_DSYNC): the default "
              + "value of WCE 0, which initiators may change with MODE SELECT")
          .build();
  static final AttributeDescriptor ROTATIONAL =
      AttributeDescriptor.builder("rotational", AttributeType.BOOLEAN).defaultValue("0")
          .createParameter().description("Report a rotating medium").build();
  static final AttributeDescriptor O_DIRECT =
      AttributeDescriptor.builder("o_direct", AttributeType.BOOLEAN).defaultValue("0")
          .createParameter()
          .description("Bypass the page cache (O_DIRECT); unaligned transfers go through "
              + "aligned buffers").build();
  static final AttributeDescriptor THIN_PROVISIONED =
      AttributeDescriptor.builder("thin_provisioned", AttributeType.BOOLEAN).defaultValue("0")
          .createParameter()
          .description("Offer UNMAP and WRITE SAME with UNMAP: the blocks are deallocated "
              + "(a hole is punched) and read as zeros; where the file system cannot punch "
              + "holes they are overwritten with zeros").build();
  /** As SCST's, but off by default: a disk keeps reporting what it did before there was one. */
  static final AttributeDescriptor LB_PER_PB_EXP =
      Geometry.lbPerPbExp("0", "a block device's own, 4096 bytes for a file");

  private static final List<AttributeDescriptor> ATTRIBUTES = List.of(FILENAME,
      Geometry.size(null, "Capacity in bytes (K, M, G, T suffixes); the file's length when "
          + "not given; needed to create the file"),
      CREATE, Geometry.BLOCKSIZE, Geometry.READ_ONLY, NV_CACHE, WRITE_THROUGH, O_DIRECT,
      ROTATIONAL, THIN_PROVISIONED, LB_PER_PB_EXP);

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
    return BackingFile.open(config, flag(config, O_DIRECT), true);
  }
}
