package io.karst.iscsi.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The iSNS protocol as far as a target registers itself (RFC 4171 5): the 12-byte iSNSP
 * header, attributes as tag, length and value, and the messages a client sends: requests of
 * a Source attribute, the Message Key, a Delimiter and the Operating Attributes (5.5), whose
 * responses start with a status code (5.7.1).
 */
final class Isns {

  /** The IANA port of iSNS. */
  static final int PORT = 3205;
  private static final int VERSION = 1;
  static final int HEADER_LENGTH = 12;
  /** The most payload one PDU carries, a multiple of four under the 16-bit PDU Length. */
  static final int MAX_PDU_PAYLOAD = 65532;

  /** Function IDs (5.1.3). */
  static final int DEV_ATTR_REG = 0x0001;
  static final int DEV_DEREG = 0x0004;
  static final int RESPONSE = 0x8000;

  /** Flags (5.1.4). */
  static final int CLIENT = 0x8000;
  static final int REPLACE = 0x1000;
  static final int LAST_PDU = 0x0800;
  static final int FIRST_PDU = 0x0400;

  /** Attribute tags (6.1). */
  static final int DELIMITER = 0;
  static final int ENTITY_IDENTIFIER = 1;
  static final int ENTITY_PROTOCOL = 2;
  static final int REGISTRATION_PERIOD = 6;
  static final int PORTAL_IP_ADDRESS = 16;
  static final int PORTAL_PORT = 17;
  static final int ISCSI_NAME = 32;
  static final int ISCSI_NODE_TYPE = 33;
  static final int ISCSI_ALIAS = 34;
  static final int PG_ISCSI_NAME = 48;
  static final int PG_PORTAL_IP_ADDR = 49;
  static final int PG_PORTAL_PORT = 50;
  static final int PG_TAG = 51;

  /** Entity Protocol iSCSI (6.2.2) and iSCSI Node Type Target (6.4.2). */
  static final int PROTOCOL_ISCSI = 2;
  static final int NODE_TARGET = 1;

  private static final String[] STATUS = {"Successful", "Unknown Error",
      "Message Format Error", "Invalid Registration", "reserved", "Invalid Query",
      "Source Unknown", "Source Absent", "Source Unauthorized", "No Such Entry",
      "Version Not Supported", "Internal Error", "Busy", "Option Not Understood",
      "Invalid Update", "Message Not Supported", "SCN Event Rejected",
      "SCN Registration Rejected", "Attribute Not Implemented", "FC_DOMAIN_ID Not Available",
      "FC_DOMAIN_ID Not Allocated", "ESI Not Available", "Invalid Deregistration",
      "Registration Feature Not Supported"};

  private Isns() {}

  /** A status code's name (5.7.1). */
  static String status(int code) {
    return code >= 0 && code < STATUS.length ? STATUS[code] + " (" + code + ")"
        : "status " + code;
  }

  /** The attributes of a request, in the order they are added. */
  static final class Attributes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A string: UTF-8, NUL-terminated, padded to four bytes (6.1). */
    Attributes string(int tag, String value) {
      byte[] b = value.getBytes(StandardCharsets.UTF_8);
      return raw(tag, ByteBuffer.allocate((b.length + 4) & ~3).put(b).array());
    }

    Attributes u32(int tag, int value) {
      return raw(tag, ByteBuffer.allocate(4).putInt(value).array());
    }

    /** An IP address in 16 bytes, IPv4 mapped into IPv6 (6.3.1). */
    Attributes address(int tag, InetAddress a) {
      byte[] v = new byte[16];
      byte[] b = a.getAddress();
      if (a instanceof Inet4Address) {
        v[10] = (byte) 0xFF;
        v[11] = (byte) 0xFF;
        System.arraycopy(b, 0, v, 12, 4);
      } else {
        System.arraycopy(b, 0, v, 0, 16);
      }
      return raw(tag, v);
    }

    /** A TCP port: the type bit 0 for TCP, and the port (6.3.2). */
    Attributes tcpPort(int tag, int port) {
      return u32(tag, port & 0xFFFF);
    }

    Attributes delimiter() {
      return raw(DELIMITER, new byte[0]);
    }

    private Attributes raw(int tag, byte[] value) {
      out.writeBytes(ByteBuffer.allocate(8).putInt(tag).putInt(value.length).array());
      out.writeBytes(value);
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  /**
   * A request: its payload in as many PDUs as the 16-bit PDU Length needs (5.3), numbered by
   * Sequence ID, the first and last marked.
   */
  static byte[] request(int function, int flags, int transactionId, Attributes payload) {
    byte[] p = payload.bytes();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = 0;
    int sequence = 0;
    do {
      int n = Math.min(MAX_PDU_PAYLOAD, p.length - at);
      int f = flags | CLIENT | (at == 0 ? FIRST_PDU : 0) | (at + n == p.length ? LAST_PDU : 0);
      out.writeBytes(ByteBuffer.allocate(HEADER_LENGTH).putShort((short) VERSION)
          .putShort((short) function).putShort((short) n).putShort((short) f)
          .putShort((short) transactionId).putShort((short) sequence++).array());
      out.write(p, at, n);
      at += n;
    } while (at < p.length);
    return out.toByteArray();
  }

  /** A response: its function, transaction, status and attributes as tag and value. */
  record Response(int function, int transactionId, int status, List<Attribute> attributes) {

    /** The first value of a 4-byte attribute with this tag, or {@code otherwise}. */
    int u32(int tag, int otherwise) {
      for (Attribute a : attributes) {
        if (a.tag() == tag && a.value().length == 4) {
          return ByteBuffer.wrap(a.value()).getInt();
        }
      }
      return otherwise;
    }
  }

  record Attribute(int tag, byte[] value) {}

  /**
   * Reads one response, over as many PDUs as it takes (5.3: the first and last PDU flags),
   * and checks that it answers {@code function} and {@code transactionId}.
   */
  static Response read(InputStream stream, int function, int transactionId) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    int flags;
    int fn;
    int tx;
    do {
      int version = in.readUnsignedShort();
      fn = in.readUnsignedShort();
      int length = in.readUnsignedShort();
      flags = in.readUnsignedShort();
      tx = in.readUnsignedShort();
      in.readUnsignedShort();
      if (version != VERSION) {
        throw new IOException("iSNSP version " + version + " (expected " + VERSION + ")");
      }
      payload.writeBytes(in.readNBytes(length));
    } while ((flags & LAST_PDU) == 0);
    if (fn != (function | RESPONSE) || tx != transactionId) {
      throw new IOException(String.format("a response of function 0x%04x to transaction %d, "
          + "expected 0x%04x to %d", fn, tx, function | RESPONSE, transactionId));
    }
    ByteBuffer b = ByteBuffer.wrap(payload.toByteArray());
    if (b.remaining() < 4) {
      throw new IOException("a response without a status code");
    }
    int status = b.getInt();
    List<Attribute> attributes = new ArrayList<>();
    while (b.remaining() >= 8) {
      int tag = b.getInt();
      int length = b.getInt();
      if (length < 0 || length > b.remaining()) {
        throw new IOException("attribute " + tag + " of " + length + " bytes overruns the "
            + "response");
      }
      byte[] v = new byte[length];
      b.get(v);
      attributes.add(new Attribute(tag, v));
    }
    return new Response(fn, tx, status, attributes);
  }
}
