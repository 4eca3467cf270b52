package io.karst.core.internal;

import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * What a logical unit says about itself in INQUIRY data: vendor, product, revision, unit serial
 * number and the NAA designator, from the attributes core keeps for every device.
 *
 * <p>Defaults derive from the device's name only, so a device keeps its identity across
 * restarts, upgrades and hosts; multipath and VMware key on the NAA identifier and would
 * otherwise see a new disk. The default NAA is type 6 (IEEE registered extended) under the
 * locally administered company identifier {@link #COMPANY_ID}; a vendor with its own OUI sets
 * {@code naa_id}. An EUI-64 designator is reported only when {@code eui64_id} gives one.
 */
record DeviceIdentity(
    String vendor, String product, String revision, String deviceId, String serial,
    byte[] naa, byte[] eui64, boolean readOnly, int threads, boolean removable,
    int maxTgtDevCommands) {

  /** A locally administered (U/L bit set) IEEE company identifier. */
  static final int COMPANY_ID = 0x0A4B53;

  /** The attribute that turns on the unit attention of resets (see {@link Device}). */
  static final String RESET_UA = "reset_ua";

  /** The attribute limiting the tasks of one I_T_L nexus (see {@link TaskSet}). */
  static final String MAX_TGT_DEV_COMMANDS = "max_tgt_dev_commands";

  static final List<AttributeDescriptor> ATTRIBUTES = List.of(
      AttributeDescriptor.builder("t10_vend_id", AttributeType.STRING)
          .writable().defaultValue("KARST")
          .description("T10 vendor identification in INQUIRY data, up to 8 characters").build(),
      AttributeDescriptor.builder("t10_prod_id", AttributeType.STRING)
          .writable()
          .description("Product identification in INQUIRY data, up to 16 characters; "
              + "the device name by default").build(),
      AttributeDescriptor.builder("prod_rev_lvl", AttributeType.STRING)
          .writable().defaultValue("0100")
          .description("Product revision level in INQUIRY data, up to 4 characters").build(),
      AttributeDescriptor.builder("t10_dev_id", AttributeType.STRING)
          .writable()
          .description("The vendor specific part of the T10 vendor ID designator (VPD 83h); "
              + "the device name by default").build(),
      AttributeDescriptor.builder("usn", AttributeType.STRING)
          .writable()
          .description("Unit serial number (VPD 80h); derived from the device name by default")
          .build(),
      AttributeDescriptor.builder("naa_id", AttributeType.STRING)
          .writable()
          .description("NAA designator (VPD 83h), 16 or 32 hex digits; derived from the "
              + "device name by default").build(),
      AttributeDescriptor.builder("eui64_id", AttributeType.STRING)
          .writable()
          .description("EUI-64 designator (VPD 83h), 16, 24 or 32 hex digits (EUI-64, and its "
              + "12 and 16 byte forms); none by default").build(),
      AttributeDescriptor.builder("threads_num", AttributeType.INTEGER)
          .createParameter().defaultValue("2")
          .description("Threads for the device's blocking I/O").build(),
      AttributeDescriptor.builder("read_only", AttributeType.BOOLEAN)
          .createParameter().defaultValue("0")
          .description("Refuse writes on every LUN of the device").build(),
      AttributeDescriptor.builder("removable", AttributeType.BOOLEAN)
          .createParameter().defaultValue("0")
          .description("A removable medium (INQUIRY RMB): START STOP UNIT ejects and loads "
              + "it, PREVENT ALLOW MEDIUM REMOVAL locks it in").build(),
      AttributeDescriptor.builder(RESET_UA, AttributeType.BOOLEAN).defaultValue("0")
          .writable()
          .description("After a logical unit or target reset, establish BUS DEVICE RESET "
              + "FUNCTION OCCURRED on every I_T nexus of the device, as SAM-5 says; off by "
              + "default, as in tgt (docs/unit-attentions.md)").build(),
      AttributeDescriptor.builder(MAX_TGT_DEV_COMMANDS, AttributeType.INTEGER)
          .defaultValue("128")
          .description("Tasks one initiator may have in the device's task set at once, 1 to "
              + "65536; beyond, TASK SET FULL (docs/task-attributes.md). At least the iSCSI "
              + "queue_depth, so that a well-behaved initiator never meets it").build());

  /** Core's attributes of a device, canonical; throws with the attribute's name on a bad value. */
  static DeviceIdentity of(String device, Map<String, String> attributes) {
    byte[] hash = sha256(device);
    String vendor = ascii(attributes.getOrDefault("t10_vend_id", "KARST"), 8, "t10_vend_id");
    String product = ascii(attributes.getOrDefault("t10_prod_id", device), 16, null);
    String revision = ascii(attributes.getOrDefault("prod_rev_lvl", "0100"), 4, "prod_rev_lvl");
    String deviceId = attributes.getOrDefault("t10_dev_id", device);
    String serial = attributes.getOrDefault("usn", HexFormat.of().formatHex(hash, 0, 8));
    String naaText = attributes.get("naa_id");
    byte[] naa = naaText == null ? defaultNaa(hash) : parseNaa(naaText);
    String euiText = attributes.get("eui64_id");
    byte[] eui64 = euiText == null || euiText.isEmpty() ? null : parseEui64(euiText);
    int threads = Integer.parseInt(attributes.getOrDefault("threads_num", "2"));
    if (threads < 1 || threads > 64) {
      throw new IllegalArgumentException("threads_num: " + threads + " is not from 1 to 64");
    }
    int depth = Integer.parseInt(attributes.getOrDefault(MAX_TGT_DEV_COMMANDS, "128"));
    if (depth < 1 || depth > 65536) {
      throw new IllegalArgumentException(
          MAX_TGT_DEV_COMMANDS + ": " + depth + " is not from 1 to 65536");
    }
    return new DeviceIdentity(vendor, product, revision, deviceId, serial, naa, eui64,
        "1".equals(attributes.get("read_only")), threads,
        "1".equals(attributes.get("removable")), depth);
  }

  private static String ascii(String value, int max, String attribute) {
    if (value.length() > max || !StandardCharsets.US_ASCII.newEncoder().canEncode(value)) {
      if (attribute == null) {
        return value.substring(0, Math.min(max, value.length()));
      }
      throw new IllegalArgumentException(attribute + ": '" + value + "' is not at most " + max
          + " ASCII characters");
    }
    return value;
  }

  private static byte[] defaultNaa(byte[] hash) {
    byte[] naa = new byte[16];
    naa[0] = (byte) (0x60 | (COMPANY_ID >>> 20));
    naa[1] = (byte) (COMPANY_ID >>> 12);
    naa[2] = (byte) (COMPANY_ID >>> 4);
    naa[3] = (byte) ((COMPANY_ID << 4) | (hash[8] & 0x0F));
    System.arraycopy(hash, 9, naa, 4, 12);
    return naa;
  }

  /** An NAA designator (SPC-4 7.8.6.6) has 8 or 16 bytes. */
  private static byte[] parseNaa(String text) {
    return designator("naa_id", text, "16 or 32", 8, 16);
  }

  /** SPC-4 7.8.6.5: an EUI-64 designator has 8, 12 or 16 bytes. */
  private static byte[] parseEui64(String text) {
    return designator("eui64_id", text, "16, 24 or 32", 8, 12, 16);
  }

  /**
   * A designator given in hex, with or without 0x, of one of these byte lengths; throws naming
   * the attribute and the {@code digits} it takes.
   */
  private static byte[] designator(String attribute, String text, String digits,
      int... lengths) {
    String hex = text.startsWith("0x") ? text.substring(2) : text;
    try {
      byte[] designator = HexFormat.of().parseHex(hex);
      for (int length : lengths) {
        if (designator.length == length) {
          return designator;
        }
      }
    } catch (IllegalArgumentException e) {
      // reported below with the attribute's name
    }
    throw new IllegalArgumentException(attribute + ": '" + text + "' is not " + digits
        + " hex digits");
  }

  private static byte[] sha256(String name) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
