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
 */
@Component(service = DeviceHandler.class)
public final class NullIoHandler implements DeviceHandler {

  static final AttributeDescriptor READ_ZERO =
      AttributeDescriptor.builder("read_zero", AttributeType.BOOLEAN).defaultValue("1")
          .createParameter().description("Reads return zeros; with 0 the data is not touched")
          .build();

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
    return new NullBackend(g, g.blocks(config.name(), g.size()),
        Geometry.flag(config, READ_ZERO));
  }

  /** The null device. */
  private record NullBackend(Geometry geometry, long blockCount, boolean readZero)
      implements BlockBackend {

    @Override
    public int blockSize() {
      return geometry.blockSize();
    }

    @Override
    public boolean readOnly() {
      return geometry.readOnly();
    }

    @Override
    public boolean writeCacheEnabled() {
      return false;
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
