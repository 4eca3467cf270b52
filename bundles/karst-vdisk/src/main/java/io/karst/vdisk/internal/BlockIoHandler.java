package io.karst.vdisk.internal;

import io.karst.api.device.Backend;
import io.karst.api.device.DeviceConfig;
import io.karst.api.device.DeviceException;
import io.karst.api.device.DeviceHandler;
import io.karst.api.mgmt.AttributeDescriptor;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/**
 * Handler {@code vdisk_blockio}: a block device (or a file) opened with O_DIRECT, as SCST's
 * blockio: no page cache between the initiator and the medium, so the host's memory is not
 * spent twice and the device's own cache is the only one (WCE, flushed on FUA and SYNCHRONIZE
 * CACHE unless {@code nv_cache} or {@code write_through}). Transfers whose buffers are not
 * aligned for direct I/O go through aligned ones. Always on the device's I/O threads.
 *
 * <p>{@code lb_per_pb_exp} is on by default, as in SCST: a block device's physical block is
 * what the initiator should align to.
 */
@Component(service = DeviceHandler.class)
public final class BlockIoHandler implements DeviceHandler {

  static final AttributeDescriptor LB_PER_PB_EXP =
      Geometry.lbPerPbExp("1", "a block device's own, 4096 bytes for a file");

  private static final List<AttributeDescriptor> ATTRIBUTES = List.of(FileIoHandler.FILENAME,
      Geometry.size(null, "Capacity in bytes (K, M, G, T suffixes); the device's or file's "
          + "length when not given; needed to create a file"),
      FileIoHandler.CREATE, Geometry.BLOCKSIZE, Geometry.READ_ONLY, FileIoHandler.NV_CACHE,
      FileIoHandler.WRITE_THROUGH, FileIoHandler.ROTATIONAL, FileIoHandler.THIN_PROVISIONED,
      LB_PER_PB_EXP);

  @Override
  public String name() {
    return "vdisk_blockio";
  }

  @Override
  public List<AttributeDescriptor> deviceAttributes() {
    return ATTRIBUTES;
  }

  @Override
  public Backend open(DeviceConfig config) throws DeviceException {
    return BackingFile.open(config, true, false);
  }
}
