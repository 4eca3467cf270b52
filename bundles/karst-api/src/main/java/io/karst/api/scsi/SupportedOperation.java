package io.karst.api.scsi;

import java.util.Arrays;

/**
 * A command a logical unit supports, as REPORT SUPPORTED OPERATION CODES (SPC-4 6.35) reports
 * it: the operation code, the service action when the command has one, and the CDB usage data.
 *
 * <p>The CDB usage data has one byte per CDB byte: the operation code first, then for every
 * other byte the bits the device server looks at set to one (fields it checks or uses) and the
 * reserved bits it ignores set to zero. Its length is the CDB's. The bits of a service action
 * field are reported with the service action itself, whatever this map says there, as SPC-4
 * asks.
 *
 * @param opcode the operation code, 00h to FFh
 * @param serviceAction the service action, or {@link #NO_SERVICE_ACTION}
 * @param cdbUsage the usage map, starting with {@code opcode}; copied, never shared
 */
public record SupportedOperation(int opcode, int serviceAction, byte[] cdbUsage) {

  /** The {@code serviceAction} of a command that has none. */
  public static final int NO_SERVICE_ACTION = -1;

  /**
   * Checks and copies the usage map.
   *
   * @throws IllegalArgumentException when the opcode or service action is out of range, or
   *     the usage map is shorter than a CDB (6 bytes) or does not start with the opcode
   */
  public SupportedOperation {
    if (opcode < 0 || opcode > 0xFF || serviceAction < NO_SERVICE_ACTION
        || serviceAction > 0xFFFF) {
      throw new IllegalArgumentException("operation code " + opcode + " or service action "
          + serviceAction + " out of range");
    }
    if (cdbUsage.length < 6 || (cdbUsage[0] & 0xFF) != opcode) {
      throw new IllegalArgumentException("the CDB usage data of operation code "
          + String.format("%02Xh", opcode) + " must start with it and cover the whole CDB");
    }
    cdbUsage = cdbUsage.clone();
  }

  /** A command without service action; {@code cdbUsage[0]} is its operation code. */
  public static SupportedOperation of(int... cdbUsage) {
    return withServiceAction(NO_SERVICE_ACTION, cdbUsage);
  }

  /** A service action of the command whose operation code is {@code cdbUsage[0]}. */
  public static SupportedOperation withServiceAction(int serviceAction, int... cdbUsage) {
    byte[] b = new byte[cdbUsage.length];
    for (int i = 0; i < cdbUsage.length; i++) {
      b[i] = (byte) cdbUsage[i];
    }
    return new SupportedOperation(cdbUsage.length == 0 ? 0 : cdbUsage[0], serviceAction, b);
  }

  public boolean hasServiceAction() {
    return serviceAction != NO_SERVICE_ACTION;
  }

  /** The usage map, a copy. */
  @Override
  public byte[] cdbUsage() {
    return cdbUsage.clone();
  }

  /** The CDB's length, which is the usage map's. */
  public int cdbLength() {
    return cdbUsage.length;
  }

  /** Equal when the opcode, service action and usage map are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof SupportedOperation s && s.opcode == opcode
        && s.serviceAction == serviceAction && Arrays.equals(s.cdbUsage, cdbUsage);
  }

  @Override
  public int hashCode() {
    return (opcode * 31 + serviceAction) * 31 + Arrays.hashCode(cdbUsage);
  }

  @Override
  public String toString() {
    return String.format("%02Xh", opcode)
        + (hasServiceAction() ? String.format("/%02Xh", serviceAction) : "");
  }
}
