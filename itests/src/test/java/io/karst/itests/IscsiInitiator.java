package io.karst.itests;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Just enough of an iSCSI initiator (RFC 7143) on a plain socket for what no packaged tool
 * does, such as PERSISTENT RESERVE OUT or several connections in one session: a normal
 * session logged in with one request, then one command at a time per connection, Data-Out as
 * immediate data only. {@link #connect} adds a connection to the session; the connections
 * share the session's CmdSN numbering.
 */
final class IscsiInitiator implements AutoCloseable {

  /** A command's outcome: the SCSI status, the Data-In, and the sense data (or none). */
  record Response(int status, byte[] data, byte[] sense) {

    /** The sense key, ASC and ASCQ of fixed format sense data as "6/2a/06", or "" for none. */
    String senseCode() {
      return sense.length < 14 ? "" : String.format("%x/%02x/%02x", sense[2] & 0x0F,
          sense[12] & 0xFF, sense[13] & 0xFF);
    }
  }

  private static final int LOGIN_REQUEST = 0x03;
  private static final int SCSI_COMMAND = 0x01;
  private static final int NOP_IN = 0x20;
  private static final int SCSI_RESPONSE = 0x21;
  private static final int DATA_IN = 0x25;

  /**
   * The session's command numbering and task tags, which all its connections take from: tags
   * are unique in a session, not only in a connection (RFC 7143 11.2.1.8).
   */
  private static final class Numbering {
    private int cmdSN = 1;
    private int itt = 1;

    synchronized int next() {
      return cmdSN++;
    }

    synchronized int tag() {
      return itt++;
    }

    synchronized int current() {
      return cmdSN;
    }
  }

  private final int port;
  private final String name;
  private final long isid;
  private final String target;
  private final Numbering numbering;
  /** The session's TSIH, which the target gave the first connection. */
  final int tsih;
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private int expStatSN;

  /** Logs in to {@code target} as the initiator port {@code name} with this ISID. */
  IscsiInitiator(int port, String name, long isid, String target) throws IOException {
    this(port, name, isid, target, 0, 0, new Numbering());
  }

  /**
   * Logs in a connection: a new session with TSIH 0, else a connection with this CID added to
   * the session of that TSIH.
   */
  private IscsiInitiator(int port, String name, long isid, String target, int tsih, int cid,
      Numbering numbering) throws IOException {
    this.port = port;
    this.name = name;
    this.isid = isid;
    this.target = target;
    this.numbering = numbering;
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(30_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
    ByteBuffer bhs = ByteBuffer.allocate(48);
    // Immediate; transit from the security stage straight to full feature phase.
    bhs.put(0, (byte) (0x40 | LOGIN_REQUEST)).put(1, (byte) 0x83);
    bhs.putShort(8, (short) (isid >>> 32)).putInt(10, (int) isid).putShort(14, (short) tsih);
    bhs.putInt(16, numbering.tag()).putShort(20, (short) cid).putInt(24, numbering.current());
    send(bhs, tsih == 0
        ? text("InitiatorName=" + name, "TargetName=" + target, "SessionType=Normal",
            "AuthMethod=None", "HeaderDigest=None", "DataDigest=None", "ImmediateData=Yes",
            "InitialR2T=No", "FirstBurstLength=65536", "MaxRecvDataSegmentLength=65536",
            "MaxConnections=4")
        : text("InitiatorName=" + name, "TargetName=" + target, "AuthMethod=None",
            "HeaderDigest=None", "DataDigest=None", "MaxRecvDataSegmentLength=65536"));
    Pdu login = receive();
    if ((login.bhs.get(0) & 0x3F) != 0x23 || login.bhs.get(36) != 0) {
      throw new IOException("login refused: status class " + login.bhs.get(36) + " detail "
          + login.bhs.get(37));
    }
    expStatSN = login.bhs.getInt(24) + 1;
    this.tsih = login.bhs.getShort(14) & 0xFFFF;
  }

  /** Adds a connection with this CID to the session (RFC 7143 6.3.1). */
  IscsiInitiator connect(int cid) throws IOException {
    return new IscsiInitiator(port, name, isid, target, tsih, cid, numbering);
  }

  private static byte[] text(String... pairs) {
    StringBuilder s = new StringBuilder();
    for (String p : pairs) {
      s.append(p).append('\0');
    }
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Sends a command to LUN 0 and waits for its status, with up to {@code in} bytes back. */
  Response command(byte[] cdb, byte[] dataOut, int dataIn) throws IOException {
    return command(0, cdb, dataOut, dataIn);
  }

  /**
   * Sends a command to a LUN below 256 (peripheral addressing, SAM-5 4.7) and waits for its
   * status, with up to {@code in} bytes back.
   */
  Response command(int lun, byte[] cdb, byte[] dataOut, int dataIn) throws IOException {
    ByteBuffer bhs = ByteBuffer.allocate(48);
    int flags = 0x80 | 0x01; // final, SIMPLE
    if (dataOut.length > 0) {
      flags |= 0x20;
    }
    if (dataIn > 0) {
      flags |= 0x40;
    }
    int tag = numbering.tag();
    bhs.put(0, (byte) SCSI_COMMAND).put(1, (byte) flags).putShort(8, (short) lun)
        .putInt(16, tag)
        .putInt(20, Math.max(dataIn, dataOut.length)).putInt(24, numbering.next())
        .putInt(28, expStatSN).put(32, cdb);
    send(bhs, dataOut);
    byte[] data = new byte[dataIn];
    int received = 0;
    while (true) {
      Pdu p = receive();
      int opcode = p.bhs.get(0) & 0x3F;
      if (opcode == NOP_IN) {
        continue;
      }
      if (p.bhs.getInt(16) != tag) {
        throw new IOException("a PDU for task " + p.bhs.getInt(16) + " while waiting for "
            + tag);
      }
      if (opcode == DATA_IN) {
        int offset = p.bhs.getInt(40);
        System.arraycopy(p.data, 0, data, offset, p.data.length);
        received = Math.max(received, offset + p.data.length);
        if ((p.bhs.get(1) & 0x01) != 0) {
          expStatSN = p.bhs.getInt(24) + 1;
          return new Response(p.bhs.get(3) & 0xFF, java.util.Arrays.copyOf(data, received),
              new byte[0]);
        }
      } else if (opcode == SCSI_RESPONSE) {
        expStatSN = p.bhs.getInt(24) + 1;
        // The data segment holds SenseLength (2 bytes) and the sense data (RFC 7143 11.4.7).
        byte[] sense = p.data.length < 2 ? new byte[0]
            : java.util.Arrays.copyOfRange(p.data, 2, Math.min(p.data.length,
                2 + ((p.data[0] & 0xFF) << 8 | (p.data[1] & 0xFF))));
        return new Response(p.bhs.get(3) & 0xFF, java.util.Arrays.copyOf(data, received),
            sense);
      } else {
        throw new IOException("unexpected PDU, opcode " + opcode);
      }
    }
  }

  private record Pdu(ByteBuffer bhs, byte[] data) {}

  private void send(ByteBuffer bhs, byte[] data) throws IOException {
    bhs.putInt(4, data.length); // TotalAHSLength 0, then DataSegmentLength
    out.write(bhs.array());
    out.write(data);
    out.write(new byte[-data.length & 3]);
    out.flush();
  }

  private Pdu receive() throws IOException {
    byte[] header = new byte[48];
    in.readFully(header);
    ByteBuffer bhs = ByteBuffer.wrap(header);
    int length = bhs.getInt(4) & 0xFFFFFF;
    in.skipNBytes((bhs.get(4) & 0xFF) * 4L);
    byte[] data = new byte[length];
    in.readFully(data);
    in.skipNBytes(-length & 3);
    return new Pdu(bhs, data);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
