package io.karst.vcdrom.internal;

import io.karst.api.device.Backend;
import io.karst.api.device.DeviceConfig;
import io.karst.api.device.DeviceException;
import io.karst.api.device.DeviceHandler;
import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/**
 * Handler {@code vcdrom}, as SCST's: a read-only CD/DVD-ROM drive (MMC, peripheral device
 * type 05h) whose disc is an ISO image. Setting {@code filename} while the device runs changes
 * the disc (empty: no disc), as {@code echo path >filename} does in SCST; identification
 * attributes ({@code t10_vend_id}, {@code usn}...) are core's, as for every device.
 */
@Component(service = DeviceHandler.class)
public final class VcdromHandler implements DeviceHandler {

  static final AttributeDescriptor FILENAME =
      AttributeDescriptor.builder("filename", AttributeType.PATH).defaultValue("")
          .createParameter().writable()
          .description("The ISO image in the drive; empty for no disc. Relative names resolve "
              + "against the data directory. Changing it changes the disc, unless an initiator "
              + "prevents the removal of the one in the drive").build();

  private static final List<AttributeDescriptor> ATTRIBUTES = List.of(FILENAME);

  @Override
  public String name() {
    return "vcdrom";
  }

  @Override
  public List<AttributeDescriptor> deviceAttributes() {
    return ATTRIBUTES;
  }

  @Override
  public Backend open(DeviceConfig config) throws DeviceException {
    return new CdromBackend(config);
  }
}
