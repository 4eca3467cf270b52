package io.karst.iscsi.internal;

import io.karst.api.scsi.DataDirection;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.Status;
import io.karst.api.scsi.Task;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;

/**
 * A finished task's answer (RFC 7143 11.4, 11.7): its Data-In, then its status.
 *
 * <p>Data-In goes out in PDUs of at most the initiator's MaxRecvDataSegmentLength, as
 * retained slices of the task's buffer (no copy), DataSN counting from 0 and BufferOffset
 * following the data, the F bit closing each sequence of MaxBurstLength; the A bit is never
 * set (ErrorRecoveryLevel 0). When the status is GOOD the last Data-In carries it (S bit,
 * phase collapse, 11.7.4); otherwise a SCSI Response follows, with the sense data of a CHECK
 * CONDITION as its data segment, and ExpDataSN the number of Data-In PDUs sent.
 *
 * <p>Residuals (11.4.5) compare what the command transferred with the initiator's Expected
 * Data Transfer Length: more is overflow (O, and only EDTL bytes go out), less underflow (U).
 */
final class TaskResponse {

  private static final int OVERFLOW = 0x04;
  private static final int UNDERFLOW = 0x02;
  private static final int STATUS = 0x01;

  private TaskResponse() {}

  /**
   * Answers the task on its connection, then lets go of its buffers; on the event loop. A task
   * task management ended without a status for the initiator ({@link Task#reported()}) is not
   * answered: it learns of it from the TMF response or a unit attention (SAM-5 5.6); one that
   * another nexus aborted while TAS is one gets a SCSI Response with TASK ABORTED.
   */
  static void send(IscsiConnection connection, IscsiTask t) {
    if (connection.tasks.remove(t.itt, t)) {
      connection.session().window.finished();
    }
    try {
      if (connection.active() && t.task.reported()) {
        answer(connection, t);
      }
    } finally {
      t.releaseBuffers();
    }
  }

  private static void answer(IscsiConnection connection, IscsiTask t) {
    Task task = t.task;
    ByteBuffer in = task.dataIn();
    int transferred = in != null ? in.remaining()
        : task.direction() == DataDirection.WRITE ? task.transferLength() : 0;
    int residual = transferred - t.expectedLength;
    int residualFlags = residual > 0 ? OVERFLOW : residual < 0 ? UNDERFLOW : 0;
    int residualCount = Math.abs(residual);
    int send = in == null ? 0 : Math.min(in.remaining(), t.expectedLength);
    boolean collapse = send > 0 && task.status() == Status.GOOD && task.sense() == null;
    int dataInCount = 0;
    if (send > 0) {
      ByteBuf data = t.dataIn(in, send);
      try {
        dataInCount = dataIn(connection, t, data, collapse ? residualFlags : -1, residualCount);
      } finally {
        data.release();
      }
    }
    if (!collapse) {
      scsiResponse(connection, t, task.status(), task.sense(), dataInCount, residualFlags,
          residualCount);
    }
    connection.channel.flush();
    task.transmitted();
  }

  /**
   * Writes the Data-In PDUs; with {@code statusFlags} 0 or more, the last one carries the
   * status with those residual flags. Returns how many PDUs went out.
   */
  private static int dataIn(IscsiConnection connection, IscsiTask t, ByteBuf data,
      int statusFlags, int residualCount) {
    Params p = connection.params();
    int length = data.readableBytes();
    int dataSN = 0;
    int offset = 0;
    int burst = 0;
    while (offset < length) {
      int n = Math.min(Math.min(p.peerMaxRecvDataSegmentLength, length - offset),
          p.maxBurstLength - burst);
      boolean last = offset + n == length;
      burst += n;
      boolean endOfSequence = last || burst == p.maxBurstLength;
      Pdu pdu = Pdu.create(connection.alloc(), Opcode.DATA_IN);
      int flags = endOfSequence ? Pdu.FINAL : 0;
      if (last && statusFlags >= 0) {
        flags |= STATUS | statusFlags;
        pdu.set32(Pdu.STAT_SN, connection.takeStatSN())
            .set32(Pdu.RESIDUAL_COUNT, residualCount);
      }
      pdu.set8(1, flags).set64(Pdu.LUN, t.lunField).set32(Pdu.ITT, t.itt)
          .set32(Pdu.TTT, Pdu.RESERVED_TAG).set32(Pdu.DATA_SN, dataSN++)
          .set32(Pdu.BUFFER_OFFSET, offset);
      connection.channel.write(
          connection.window(pdu).withData(data.retainedSlice(data.readerIndex() + offset, n)));
      offset += n;
      if (endOfSequence) {
        burst = 0;
      }
    }
    return dataSN;
  }

  private static void scsiResponse(IscsiConnection connection, IscsiTask t, Status status,
      Sense sense, int dataInCount, int residualFlags, int residualCount) {
    Pdu pdu = Pdu.create(connection.alloc(), Opcode.SCSI_RESPONSE);
    pdu.set8(1, Pdu.FINAL | residualFlags).set8(3, status.code()).set32(Pdu.ITT, t.itt)
        .set32(Pdu.STAT_SN, connection.takeStatSN()).set32(Pdu.DATA_SN, dataInCount)
        .set32(Pdu.RESIDUAL_COUNT, residualCount);
    connection.window(pdu);
    if (sense != null) {
      byte[] bytes = sense.toBytes();
      ByteBuf data = connection.alloc().buffer(2 + bytes.length);
      data.writeShort(bytes.length).writeBytes(bytes);
      pdu = pdu.withData(data);
    }
    connection.channel.write(pdu);
  }
}
