package io.karst.vdisk.internal;

import io.karst.api.device.Backend;
import io.karst.api.device.BlockBackend;
import io.karst.api.device.DeviceConfig;
import io.karst.api.device.DeviceException;
import io.karst.api.device.DeviceHandler;
import io.karst.api.device.IoCompletion;
import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;
import io.karst.api.scsi.Sense;
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
 */
@Component(service = DeviceHandler.class)
public final class NullIoHandler implements DeviceHandler {

  static final AttributeDescriptor READ_ZERO =
      AttributeDescriptor.builder("read_zero", AttributeType.BOOLEAN).defaultValue("1")
          .createParameter().writable()
          .description("Reads return zeros; with 0 the data is not touched").build();
  /** INQUIRY DATA HAS CHANGED (SPC-4 table 48). */
  private static final int INQUIRY_DATA_HAS_CHANGED = 0x3F;
  private static final int INQUIRY_DATA_HAS_CHANGED_QUALIFIER = 0x03;

  private static final List<AttributeDescriptor> ATTRIBUTES = List.of(
      Geometry.size("1T", "Capacity in bytes (K, M, G, T suffixes)"), Geometry.BLOCKSIZE,
      Geometry.READ_ONLY, READ_ZERO);

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
    return new NullBackend(config, g, g.blocks(config.name(), g.size()),
        Geometry.flag(config, READ_ZERO));
  }

  /** The null device; {@code size} and {@code read_zero} change while it runs, as in SCST. */
  private static final class NullBackend implements BlockBackend {

    private final DeviceConfig config;
    private final Geometry geometry;
    private volatile long blockCount;
    private volatile boolean readZero;

    NullBackend(DeviceConfig config, Geometry geometry, long blockCount, boolean readZero) {
      this.config = config;
      this.geometry = geometry;
      this.blockCount = blockCount;
      this.readZero = readZero;
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
    public boolean readOnly() {
      return geometry.readOnly();
    }

    @Override
    public boolean writeCacheEnabled() {
      return false;
    }

    /**
     * A new size (core raises CAPACITY DATA HAS CHANGED), or {@code read_zero}: whether reads
     * return zeros decides whether the device is thin (UNMAP, LBPME, LBPRZ), which INQUIRY's
     * provisioning pages and READ CAPACITY (16) report, so initiators get INQUIRY DATA HAS
     * CHANGED and CAPACITY DATA HAS CHANGED.
     */
    @Override
    public void set(String attribute, String value) throws DeviceException {
      if (attribute.equals("size")) {
        blockCount = geometry.blocks(config.name(), Long.parseLong(value));
      } else if (attribute.equals(READ_ZERO.name())) {
        boolean zero = "1".equals(value);
        if (zero != readZero) {
          readZero = zero;
          config.unitAttention(INQUIRY_DATA_HAS_CHANGED, INQUIRY_DATA_HAS_CHANGED_QUALIFIER);
          config.unitAttention(Sense.CAPACITY_DATA_HAS_CHANGED.asc(),
              Sense.CAPACITY_DATA_HAS_CHANGED.ascq());
        }
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

    /** Thin when reads return zeros: deallocated blocks then read as SBC says they must. */
    @Override
    public boolean supportsUnmap() {
      return readZero;
    }

    @Override
    public void unmap(long offset, long length, IoCompletion completion) {
      completion.completed();
    }

    @Override
    public void close() {}
  }
}
