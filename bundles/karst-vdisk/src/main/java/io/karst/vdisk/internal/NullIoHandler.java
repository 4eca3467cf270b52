package io.karst.vdisk.internal;

import io.karst.api.device.Backend;
import io.karst.api.device.BlockBackend;
import io.karst.api.device.DeviceConfig;
import io.karst.api.device.DeviceException;
import io.karst.api.device.DeviceHandler;
import io.karst.api.device.IoCompletion;
import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;
import java.nio.ByteBuffer;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/**
 * Handler {@code vdisk_nullio}: a device with no storage. Writes are discarded, reads return
 * zeros (or leave the initiator's buffer alone with {@code read_zero 0}), everything completes
 * inline. For measuring a transport without a medium in the way.
 *
 * <p>{@code size} defaults to 1 TiB: nothing is allocated whatever the size, so the default
 * may as well leave a benchmark all the room it wants.
 *
 * <p>With {@code thin_provisioned 1} it offers UNMAP and WRITE SAME with UNMAP, which have
 * nothing to deallocate: every block already reads as zeros, as SBC requires of unmapped
 * blocks (LBPRZ), so {@code read_zero 0} cannot be thin. With {@code dummy 1} (SCST's) the LUN
 * is a placeholder that initiators list but do not attach, for a target whose LUN 0 should not
 * be a disk ({@link BlockBackend#placeholder()}).
 */
@Component(service = DeviceHandler.class)
public final class NullIoHandler implements DeviceHandler {

  static final AttributeDescriptor READ_ZERO =
      AttributeDescriptor.builder("read_zero", AttributeType.BOOLEAN).defaultValue("1")
          .createParameter().writable()
          .description("Reads return zeros; with 0 the data is not touched (refused on a "
              + "thin_provisioned device)").build();

  static final AttributeDescriptor THIN_PROVISIONED =
      AttributeDescriptor.builder("thin_provisioned", AttributeType.BOOLEAN).defaultValue("0")
          .createParameter()
          .description("Offer UNMAP and WRITE SAME with UNMAP, accepted with nothing to do: "
              + "every block reads as zeros (needs read_zero 1)").build();
  static final AttributeDescriptor DUMMY =
      AttributeDescriptor.builder("dummy", AttributeType.BOOLEAN).defaultValue("0")
          .createParameter()
          .description("A placeholder LUN: INQUIRY reports peripheral qualifier 1 (not "
              + "connected) and device type 1Fh, so initiators attach no device to it")
          .build();
  static final AttributeDescriptor LB_PER_PB_EXP = Geometry.lbPerPbExp("0", "4096 bytes");

  private static final List<AttributeDescriptor> ATTRIBUTES = List.of(
      Geometry.size("1T", "Capacity in bytes (K, M, G, T suffixes)"), Geometry.BLOCKSIZE,
      Geometry.READ_ONLY, READ_ZERO, THIN_PROVISIONED, DUMMY, LB_PER_PB_EXP);

  @Override
  public String name() {
    return "vdisk_nullio";
  }

  @Override
  public List<AttributeDescriptor> deviceAttributes() {
    return ATTRIBUTES;
  }

  @Override
  public Backend open(DeviceConfig config) throws DeviceException {
    Geometry g = Geometry.of(config);
    boolean readZero = Geometry.flag(config, READ_ZERO);
    boolean thin = Geometry.flag(config, THIN_PROVISIONED);
    zerosIfThin(config.name(), thin, readZero);
    return new NullBackend(config.name(), g, g.blocks(config.name(), g.size()), readZero, thin,
        Geometry.flag(config, DUMMY));
  }

  /** Unmapped blocks read as zeros (LBPRZ), so a thin device must return zeros. */
  private static void zerosIfThin(String device, boolean thin, boolean readZero)
      throws DeviceException {
    if (thin && !readZero) {
      throw new DeviceException(device + ": thin_provisioned 1 needs read_zero 1: "
          + "unmapped blocks must read as zeros");
    }
  }

  /** The null device; {@code size} and {@code read_zero} change while it runs, as in SCST. */
  private static final class NullBackend implements BlockBackend {

    private final String device;
    private final Geometry geometry;
    private final boolean thin;
    private final boolean placeholder;
    private volatile long blockCount;
    private volatile boolean readZero;

    NullBackend(String device, Geometry geometry, long blockCount, boolean readZero,
        boolean thin, boolean placeholder) {
      this.device = device;
      this.geometry = geometry;
      this.blockCount = blockCount;
      this.readZero = readZero;
      this.thin = thin;
      this.placeholder = placeholder;
    }

    @Override
    public int blockSize() {
      return geometry.blockSize();
    }

    @Override
    public long blockCount() {
      return blockCount;
    }

    @Override
    public int physicalBlockExponent() {
      return geometry.physicalBlockExponent(Geometry.PAGE);
    }

    @Override
    public boolean placeholder() {
      return placeholder;
    }

    @Override
    public boolean readOnly() {
      return geometry.readOnly();
    }

    @Override
    public boolean writeCacheEnabled() {
      return false;
    }

    /**
     * A new size (core raises CAPACITY DATA HAS CHANGED), or {@code read_zero}, which changes
     * only what reads return: nothing INQUIRY or READ CAPACITY reports follows it, so
     * initiators are told nothing. A thin device keeps returning zeros.
     */
    @Override
    public void set(String attribute, String value) throws DeviceException {
      if (attribute.equals("size")) {
        blockCount = geometry.blocks(device, Long.parseLong(value));
      } else if (attribute.equals(READ_ZERO.name())) {
        boolean zero = "1".equals(value);
        zerosIfThin(device, thin, zero);
        readZero = zero;
      } else {
        BlockBackend.super.set(attribute, value);
      }
    }

    @Override
    public void read(long offset, ByteBuffer dst, IoCompletion completion) {
      if (readZero) {
        Zeros.fill(dst);
      } else {
        dst.position(dst.limit());
      }
      completion.completed();
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua, IoCompletion completion) {
      src.position(src.limit());
      completion.completed();
    }

    @Override
    public void flush(IoCompletion completion) {
      completion.completed();
    }

    @Override
    public boolean supportsUnmap() {
      return thin;
    }

    @Override
    public void unmap(long offset, long length, IoCompletion completion) {
      completion.completed();
    }

    @Override
    public void close() {}
  }
}
