package io.karst.iscsi.internal;

import io.karst.api.scsi.DataDirection;
import io.karst.api.scsi.Task;
import io.karst.api.scsi.TaskAttribute;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.List;

/**
 * SCSI Command and SCSI Data-Out PDUs (RFC 7143 11.3, 11.7) of a normal session: a command
 * becomes a core task with its LUN, CDB, task attribute, direction and Expected Data Transfer
 * Length, and an {@link IscsiTask} as its transport; a Data-Out goes to the task its ITT
 * names, or is dropped silently when there is none any more (core may answer a command before
 * the initiator's unsolicited data has arrived).
 */
final class ScsiCommandHandler extends ChannelInboundHandlerAdapter {

  private static final int READ = 0x40;
  private static final int WRITE = 0x20;
  private static final int EXTENDED_CDB = 1;
  private static final int EDTL = 20;
  private static final int CDB = 32;
  /** ATTR 0 (untagged) to 4 (ACA); the reserved 5 to 7 are taken as SIMPLE. */
  private static final TaskAttribute[] ATTRIBUTES = {TaskAttribute.SIMPLE, TaskAttribute.SIMPLE,
      TaskAttribute.ORDERED, TaskAttribute.HEAD_OF_QUEUE, TaskAttribute.ACA,
      TaskAttribute.SIMPLE, TaskAttribute.SIMPLE, TaskAttribute.SIMPLE};
  private static final DataDirection[] DIRECTIONS = {DataDirection.NONE, DataDirection.WRITE,
      DataDirection.READ, DataDirection.BIDIRECTIONAL};

  private final IscsiConnection connection;

  ScsiCommandHandler(IscsiConnection connection) {
    this.connection = connection;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Pdu pdu = (Pdu) msg;
    switch (pdu.opcode()) {
      case Opcode.SCSI_COMMAND -> {
        try {
          command(pdu);
        } finally {
          pdu.release();
        }
      }
      case Opcode.DATA_OUT -> {
        try {
          IscsiTask t = connection.tasks.get(pdu.itt());
          if (t != null) {
            t.dataOut(pdu);
          } else if (pdu.truncated()) {
            connection.reject(pdu, Opcode.REJECT_PROTOCOL_ERROR);
          }
        } finally {
          pdu.release();
        }
      }
      default -> ctx.fireChannelRead(msg);
    }
  }

  private void command(Pdu pdu) {
    int itt = pdu.itt();
    int flags = pdu.flags();
    int expected = pdu.u32(EDTL);
    int immediate = pdu.dataLength();
    Params p = connection.params();
    if (itt == Pdu.RESERVED_TAG || connection.session().hasTask(itt) || expected < 0
        || (immediate > 0 && (!p.immediateData || (flags & WRITE) == 0 || immediate > expected
            || immediate > p.firstBurstLength))) {
      connection.reject(pdu, Opcode.REJECT_INVALID_PDU_FIELD);
      return;
    }
    byte[] cdb = cdb(pdu);
    if (cdb == null) {
      connection.reject(pdu, Opcode.REJECT_INVALID_PDU_FIELD);
      return;
    }
    long lunField = pdu.u64(Pdu.LUN);
    IscsiTask t = new IscsiTask(connection, itt, lunField, expected, !pdu.finalBit(),
        immediate > 0 ? pdu.data.retainedSlice() : null);
    if (pdu.dataDigestError()) {
      t.dataDigestError();
    }
    connection.tasks.put(itt, t);
    connection.session().window.started();
    Task task = connection.session().nexus.newTask(t, itt & 0xFFFFFFFFL, lun(lunField), cdb,
        ATTRIBUTES[flags & 0x07], DIRECTIONS[(flags & (READ | WRITE)) >>> 5], expected);
    t.task = task;
    task.submit();
  }

  /**
   * The CDB: 16 bytes in the BHS, followed by the Extended CDB AHS (type 1, RFC 7143 11.3.1.2)
   * when there is one; null when an AHS does not fit its segment.
   */
  static byte[] cdb(Pdu pdu) {
    ByteBuf ahs = pdu.ahs;
    int at = ahs.readerIndex();
    int end = ahs.writerIndex();
    byte[] extended = new byte[0];
    while (end - at >= 4) {
      int length = ahs.getUnsignedShort(at);
      int type = ahs.getUnsignedByte(at + 2);
      if (length == 0 || at + 3 + length > end) {
        return null;
      }
      if (type == EXTENDED_CDB) {
        // AHSLength counts the reserved byte before the CDB bytes.
        extended = new byte[length - 1];
        ahs.getBytes(at + 4, extended);
      }
      at += (3 + length + 3) & ~3;
    }
    byte[] cdb = new byte[16 + extended.length];
    pdu.bhs.getBytes(CDB, cdb, 0, 16);
    System.arraycopy(extended, 0, cdb, 16, extended.length);
    return cdb;
  }

  /**
   * The LUN number from the 8-byte LUN field (SAM-5 4.7): peripheral device addressing with
   * bus 0, or flat space addressing, single level; anything else names a LUN core cannot have,
   * which it answers with LOGICAL UNIT NOT SUPPORTED.
   */
  static long lun(long field) {
    int b0 = (int) (field >>> 56) & 0xFF;
    int b1 = (int) (field >>> 48) & 0xFF;
    if ((field & 0xFFFF_FFFF_FFFFL) != 0) {
      return -1;
    }
    return switch (b0 >>> 6) {
      case 0 -> (b0 & 0x3F) == 0 ? b1 : -1;
      case 1 -> ((b0 & 0x3F) << 8) | b1;
      default -> -1;
    };
  }

  /** The connection is gone: tasks waiting for Data-Out fail; their answers will be dropped. */
  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    for (IscsiTask t : List.copyOf(connection.tasks.values())) {
      t.abandon();
    }
    ctx.fireChannelInactive();
  }
}
