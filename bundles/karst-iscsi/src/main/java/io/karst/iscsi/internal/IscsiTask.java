package io.karst.iscsi.internal;

import io.karst.api.scsi.Task;
import io.karst.api.scsi.TaskTransport;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * One SCSI command on a connection, as the transport of its core task: the buffers core asks
 * for, and the Data-Out that fills them (RFC 7143 4.2.5): immediate data from the command PDU,
 * unsolicited Data-Out up to FirstBurstLength, then R2Ts for the rest, MaxBurstLength each and
 * at most MaxOutstandingR2T at a time.
 *
 * <p>Core calls in from any thread; everything here but {@link #allocate} runs on the
 * connection's event loop.
 */
final class IscsiTask implements TaskTransport {

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

  final FullFeatureHandler connection;
  final int itt;
  final long lunField;
  final int expectedLength;
  private final boolean commandFinal;
  Task task;

  private ByteBuf immediateData;
  private final ArrayDeque<Pdu> early = new ArrayDeque<>();
  private ByteBuf buffer;
  private ByteBuffer view;

  private ByteBuffer dataOut;
  private int needed;
  private int received;
  private int unsolicitedEnd;
  private int nextSolicited;
  private int r2tSN;
  private int unsolicitedDataSN;
  private boolean dataOutDone;
  private final Map<Integer, Burst> outstanding = new HashMap<>();

  IscsiTask(FullFeatureHandler connection, int itt, long lunField, int expectedLength,
      boolean commandFinal, ByteBuf immediateData) {
    this.connection = connection;
    this.itt = itt;
    this.lunField = lunField;
    this.expectedLength = expectedLength;
    this.commandFinal = commandFinal;
    this.immediateData = immediateData;
  }

  @Override
  public synchronized ByteBuffer allocate(Task t, int length) {
    if (buffer != null) {
      buffer.release();
    }
    buffer = connection.alloc().directBuffer(length, length);
    view = buffer.nioBuffer(0, length);
    return view;
  }

  @Override
  public void receiveDataOut(Task t, ByteBuffer target) {
    connection.onLoop(() -> startDataOut(target));
  }

  @Override
  public void complete(Task t) {
    connection.onLoop(() -> connection.complete(this));
  }

  private void startDataOut(ByteBuffer target) {
    if (!connection.active()) {
      task.dataOutFailed(new IllegalStateException("connection closed"));
      return;
    }
    dataOut = target;
    needed = target.remaining();
    Params p = connection.params();
    int immediate = immediateData == null ? 0 : immediateData.readableBytes();
    unsolicitedEnd = !p.initialR2T && !commandFinal
        ? Math.min(p.firstBurstLength, expectedLength) : immediate;
    nextSolicited = unsolicitedEnd;
    if (immediate > 0) {
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
    solicit();
    finishIfComplete();
  }

  /** A Data-Out PDU for this task; takes no ownership of the PDU. */
  void dataOut(Pdu pdu) {
    if (dataOutDone) {
      return;
    }
    if (dataOut == null) {
      early.add(pdu.retain());
      return;
    }
    if (accept(pdu)) {
      solicit();
      finishIfComplete();
    }
  }

  /** Places one Data-Out PDU's data; false when it broke the rules and the task failed. */
  private boolean accept(Pdu pdu) {
    int ttt = pdu.u32(20);
    long offset = pdu.u32(40) & 0xFFFFFFFFL;
    int length = pdu.dataLength();
    boolean solicited = ttt != Pdu.RESERVED_TAG;
    Burst burst = solicited ? outstanding.get(ttt) : null;
    int dataSN = pdu.u32(36);
    boolean valid = dataSN == (burst != null ? burst.dataSN : unsolicitedDataSN)
        && offset + length <= expectedLength
        && (solicited
            ? burst != null && offset >= burst.offset
                && offset + length <= burst.offset + burst.length
            : offset + length <= unsolicitedEnd);
    if (!valid) {
      connection.reject(pdu, Opcode.REJECT_INVALID_PDU_FIELD);
      fail("Data-Out DataSN " + dataSN + " at offset " + offset + " of " + length
          + " bytes is out of sequence or outside what was "
          + (solicited ? "solicited" : "allowed unsolicited"));
      return false;
    }
    copy((int) offset, pdu.data);
    if (burst == null) {
      unsolicitedDataSN++;
    } else {
      burst.dataSN++;
      burst.received += length;
      if (burst.received >= burst.length || pdu.finalBit()) {
        outstanding.remove(ttt);
      }
    }
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

  private void solicit() {
    Params p = connection.params();
    while (outstanding.size() < p.maxOutstandingR2T && nextSolicited < needed) {
      int length = Math.min(p.maxBurstLength, needed - nextSolicited);
      int ttt = connection.nextTransferTag();
      outstanding.put(ttt, new Burst(nextSolicited, length));
      connection.sendR2T(this, ttt, r2tSN++, nextSolicited, length);
      nextSolicited += length;
    }
  }

  private void finishIfComplete() {
    if (!dataOutDone && received >= needed) {
      dataOutDone = true;
      task.dataOutReceived();
    }
  }

  private void fail(String why) {
    if (!dataOutDone) {
      dataOutDone = true;
      outstanding.clear();
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

  /** The slice of the Data-In buffer core filled, or null when core used one of its own. */
  synchronized ByteBuf dataInSlice(ByteBuffer dataIn, int length) {
    if (buffer != null && dataIn == view) {
      return buffer.retainedSlice(dataIn.position(), length);
    }
    return null;
  }

  void releaseInput() {
    if (immediateData != null) {
      immediateData.release();
      immediateData = null;
    }
    while (!early.isEmpty()) {
      early.poll().release();
    }
  }

  /** Releases the task's own reference to its buffer; slices being written keep theirs. */
  synchronized void releaseBuffer() {
    releaseInput();
    if (buffer != null) {
      buffer.release();
      buffer = null;
      view = null;
    }
  }
}
