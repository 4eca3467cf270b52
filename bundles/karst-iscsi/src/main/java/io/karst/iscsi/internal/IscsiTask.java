package io.karst.iscsi.internal;

import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.SenseKey;
import io.karst.api.scsi.Task;
import io.karst.api.scsi.TaskTransport;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One SCSI command of a connection, as the transport of its core task: the pooled buffer core
 * asks for, and the Data-Out that fills it (RFC 7143 4.2.5, 11.7, 11.8).
 *
 * <p>Data-Out arrives in order: immediate data in the command PDU; then, when InitialR2T is No
 * and the command's F bit is clear, one unsolicited burst of Data-Out up to FirstBurstLength,
 * ended by its F bit; then the target solicits the rest with R2Ts, each at most
 * MaxBurstLength, at most MaxOutstandingR2T at a time, each with its own target transfer tag
 * and the next R2TSN. Every Data-Out must come in sequence (DataSN from 0 in each burst,
 * BufferOffset where the previous one ended, inside what was allowed or solicited): one that
 * does not is rejected (Invalid PDU field) and the task's Data-Out fails. Data beyond the
 * buffer (an initiator announcing more than the CDB transfers) is accepted and dropped.
 * Data-Out that comes before core asks for it waits, up to FirstBurstLength.
 *
 * <p>Core calls in from any thread; everything but {@link #allocate} runs on the
 * connection's event loop.
 */
final class IscsiTask implements TaskTransport {

  private static final System.Logger LOG = System.getLogger(IscsiTask.class.getName());

  /** ABORTED COMMAND, 47h/05h: what a command whose data failed its digest ends with. */
  static final Sense PROTOCOL_SERVICE_CRC_ERROR =
      new Sense(SenseKey.ABORTED_COMMAND, 0x47, 0x05);

  /** An R2T the initiator has not answered in full yet. */
  private static final class Burst {
    final int offset;
    final int length;
    int received;
    int dataSN;

    Burst(int offset, int length) {
      this.offset = offset;
      this.length = length;
    }
  }

  final IscsiConnection connection;
  final int itt;
  final long lunField;
  final int expectedLength;
  Task task;

  private ByteBuf immediateData;
  private final ArrayDeque<Pdu> early = new ArrayDeque<>();
  private int earlyBytes;
  /** The pooled buffers core asked for, and the views of them core was given. */
  private final List<ByteBuf> buffers = new ArrayList<>(1);
  private final List<ByteBuffer> views = new ArrayList<>(1);

  private ByteBuffer dataOut;
  private int needed;
  private int received;
  /** Whether unsolicited Data-Out may still come, and where it may reach. */
  private boolean unsolicitedOpen;
  private int unsolicitedLimit;
  /** Where the next unsolicited Data-Out starts, then where soliciting starts. */
  private int nextOffset;
  private int unsolicitedDataSN;
  private int r2tSN;
  private boolean dataOutDone;
  /** Whether some of the data failed its digest: the task fails once all of it has come. */
  private boolean dataDigestError;
  /** Why Data-Out that came before core asked for it broke the rules, or null. */
  private String earlyFailure;
  private final Map<Integer, Burst> outstanding = new HashMap<>();
  /** While Data-Out is awaited: the check that the initiator still sends (RspTimeout). */
  private ScheduledFuture<?> responseTimer;
  /** Whether Data-Out came since the timer last looked, and how often it found none. */
  private boolean dataOutSinceCheck;
  private int silentChecks;

  IscsiTask(IscsiConnection connection, int itt, long lunField, int expectedLength,
      boolean unsolicitedFollows, ByteBuf immediateData) {
    this.connection = connection;
    this.itt = itt;
    this.lunField = lunField;
    this.expectedLength = expectedLength;
    this.immediateData = immediateData;
    Params p = connection.params();
    this.nextOffset = immediateData == null ? 0 : immediateData.readableBytes();
    this.unsolicitedLimit = Math.min(p.firstBurstLength, expectedLength);
    this.unsolicitedOpen = unsolicitedFollows && !p.initialR2T && nextOffset < unsolicitedLimit;
  }

  /** A pooled direct buffer; core may ask more than once (Data-Out, then Data-In). */
  @Override
  public synchronized ByteBuffer allocate(Task t, int length) {
    ByteBuf buffer = connection.alloc().directBuffer(length, length);
    ByteBuffer view = buffer.nioBuffer(0, length);
    buffers.add(buffer);
    views.add(view);
    return view;
  }

  @Override
  public void receiveDataOut(Task t, ByteBuffer target) {
    if (!connection.execute(() -> startDataOut(target))) {
      t.dataOutFailed(new IllegalStateException("connection closed"));
    }
  }

  @Override
  public void complete(Task t) {
    if (!connection.execute(() -> TaskResponse.send(connection, this))) {
      releaseBuffers();
    }
  }

  private void startDataOut(ByteBuffer target) {
    if (!connection.active() || earlyFailure != null) {
      task.dataOutFailed(new IllegalStateException(
          earlyFailure != null ? earlyFailure : "connection closed"));
      return;
    }
    dataOut = target;
    needed = target.remaining();
    if (immediateData != null) {
      copy(0, immediateData);
      immediateData.release();
      immediateData = null;
    }
    while (!early.isEmpty()) {
      Pdu pdu = early.poll();
      try {
        if (!accept(pdu)) {
          return;
        }
      } finally {
        pdu.release();
      }
    }
    progress();
  }

  /**
   * Some of the task's data failed its digest (and was rejected). At ErrorRecoveryLevel 0 it
   * cannot be asked for again, so the task goes on receiving the rest and then fails with
   * PROTOCOL SERVICE CRC ERROR (RFC 7143 7.8), the medium untouched.
   */
  void dataDigestError() {
    dataDigestError = true;
  }

  /** A Data-Out PDU for this task; the caller keeps its reference. */
  void dataOut(Pdu pdu) {
    if (dataOutDone) {
      return;
    }
    if (pdu.dataDigestError()) {
      dataDigestError();
    }
    if (dataOut == null) {
      earlyBytes += pdu.dataLength();
      if (pdu.truncated() || nextOffset + earlyBytes > unsolicitedLimit
          || pdu.ttt() != Pdu.RESERVED_TAG) {
        // Core has not asked for the data yet: it hears of the failure when it does.
        connection.reject(pdu, Opcode.REJECT_INVALID_PDU_FIELD);
        earlyFailure = "Data-Out beyond FirstBurstLength or MaxRecvDataSegmentLength, or "
            + "solicited before any R2T";
        dataOutDone = true;
        releaseInput();
        return;
      }
      early.add(pdu.retain());
      return;
    }
    if (pdu.truncated()) {
      violation(pdu, "a Data-Out segment longer than MaxRecvDataSegmentLength");
      return;
    }
    if (accept(pdu)) {
      progress();
    }
  }

  /** Places one Data-Out PDU's data; false when it broke the rules and the task failed. */
  private boolean accept(Pdu pdu) {
    int ttt = pdu.ttt();
    long offset = pdu.u32(Pdu.BUFFER_OFFSET) & 0xFFFFFFFFL;
    int length = pdu.dataLength();
    long end = offset + length;
    int dataSN = pdu.u32(Pdu.DATA_SN);
    if (ttt == Pdu.RESERVED_TAG) {
      if (!unsolicitedOpen || dataSN != unsolicitedDataSN || offset != nextOffset
          || end > unsolicitedLimit) {
        violation(pdu, "unsolicited Data-Out DataSN " + dataSN + " at " + offset + "+"
            + length + " out of sequence or beyond FirstBurstLength");
        return false;
      }
      unsolicitedDataSN++;
      nextOffset = (int) end;
      unsolicitedOpen = !pdu.finalBit() && end < unsolicitedLimit;
    } else {
      Burst burst = outstanding.get(ttt);
      if (burst == null || dataSN != burst.dataSN || offset != burst.offset + burst.received
          || end > burst.offset + burst.length
          || (pdu.finalBit() && end != burst.offset + burst.length)) {
        violation(pdu, "Data-Out TTT " + ttt + " DataSN " + dataSN + " at " + offset + "+"
            + length + " outside what was solicited");
        return false;
      }
      burst.dataSN++;
      burst.received += length;
      if (burst.received == burst.length) {
        outstanding.remove(ttt);
      }
    }
    copy((int) offset, pdu.data);
    return true;
  }

  /** Copies data at a buffer offset, dropping what lies beyond the bytes core asked for. */
  private void copy(int offset, ByteBuf data) {
    int n = Math.min(data.readableBytes(), needed - offset);
    if (n <= 0) {
      return;
    }
    ByteBuffer dst = dataOut.duplicate();
    dst.limit(dst.position() + offset + n).position(dst.position() + offset);
    data.getBytes(data.readerIndex(), dst);
    received += n;
  }

  /**
   * Finishes when the buffer is full; otherwise, once the unsolicited burst is over, keeps
   * MaxOutstandingR2T R2Ts out for the rest.
   */
  private void progress() {
    dataOutSinceCheck = true;
    if (received >= needed) {
      dataOutDone = true;
      stopWaiting();
      outstanding.clear();
      if (dataDigestError) {
        task.dataOutFailed(new SenseException(PROTOCOL_SERVICE_CRC_ERROR));
      } else {
        task.dataOutReceived();
      }
      return;
    }
    if (unsolicitedOpen) {
      return;
    }
    Params p = connection.params();
    while (outstanding.size() < p.maxOutstandingR2T && nextOffset < needed) {
      int length = Math.min(p.maxBurstLength, needed - nextOffset);
      int ttt = connection.nextTransferTag();
      outstanding.put(ttt, new Burst(nextOffset, length));
      sendR2T(ttt, nextOffset, length);
      nextOffset += length;
    }
    if (responseTimer == null) {
      scheduleResponseCheck();
    }
  }

  /**
   * RspTimeout (iscsi-scst's name): an initiator that sends none of the Data-Out the task
   * waits for in that many seconds has stopped; its connection is closed, which ends the task.
   * The timer looks every half RspTimeout whether Data-Out came meanwhile, so that Data-Out
   * costs no timer of its own: silence is found after one to one and a half RspTimeout.
   */
  private void scheduleResponseCheck() {
    long half = connection.limits.rspTimeout() * 500L;
    responseTimer = connection.channel.eventLoop().schedule(() -> {
      if (dataOutDone) {
        return;
      }
      silentChecks = dataOutSinceCheck ? 0 : silentChecks + 1;
      dataOutSinceCheck = false;
      if (silentChecks < 2) {
        scheduleResponseCheck();
        return;
      }
      LOG.log(Level.WARNING, connection.describe() + ": no Data-Out for task 0x"
          + Integer.toHexString(itt) + " in " + connection.limits.rspTimeout()
          + " s (RspTimeout); closing the connection");
      connection.channel.close();
    }, half, TimeUnit.MILLISECONDS);
  }

  private void stopWaiting() {
    if (responseTimer != null) {
      responseTimer.cancel(false);
      responseTimer = null;
    }
  }

  /** An R2T (RFC 7143 11.8): it reports the StatSN without taking it. */
  private void sendR2T(int ttt, int offset, int length) {
    Pdu r2t = Pdu.create(connection.alloc(), Opcode.R2T);
    r2t.set64(Pdu.LUN, lunField).set32(Pdu.ITT, itt).set32(Pdu.TTT, ttt)
        .set32(Pdu.STAT_SN, connection.statSN()).set32(Pdu.DATA_SN, r2tSN++)
        .set32(Pdu.BUFFER_OFFSET, offset).set32(Pdu.RESIDUAL_COUNT, length);
    connection.channel.writeAndFlush(connection.window(r2t));
  }

  private void violation(Pdu pdu, String why) {
    connection.reject(pdu, Opcode.REJECT_INVALID_PDU_FIELD);
    fail(why);
  }

  private void fail(String why) {
    stopWaiting();
    if (!dataOutDone) {
      dataOutDone = true;
      outstanding.clear();
      releaseInput();
      task.dataOutFailed(new IllegalStateException(why));
    }
  }

  /** The connection is gone: stop waiting for Data-Out and let go of what arrived. */
  void abandon() {
    releaseInput();
    if (dataOut != null) {
      fail("connection closed");
    }
  }

  /**
   * The Data-In core filled, as a buffer this side owns: a retained slice of the pooled
   * buffer when core used the one from {@link #allocate}, else a copy, as another buffer may
   * be reused once the task is answered.
   */
  synchronized ByteBuf dataIn(ByteBuffer in, int length) {
    for (int i = 0; i < views.size(); i++) {
      if (views.get(i) == in) {
        return buffers.get(i).retainedSlice(in.position(), length);
      }
    }
    ByteBuffer d = in.duplicate();
    d.limit(d.position() + length);
    return connection.alloc().directBuffer(length).writeBytes(d);
  }

  private void releaseInput() {
    if (immediateData != null) {
      immediateData.release();
      immediateData = null;
    }
    while (!early.isEmpty()) {
      early.poll().release();
    }
  }

  /** Releases the task's own references to its buffers; slices being written keep theirs. */
  synchronized void releaseBuffers() {
    releaseInput();
    buffers.forEach(ByteBuf::release);
    buffers.clear();
    views.clear();
  }
}
