package io.karst.api.scsi;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The transport side of one task: what core asks of the target driver that brought the command
 * in. A driver typically implements it on its own per-command state (an iSCSI driver on the
 * object that tracks the initiator task tag), so core needs no attachment to find it again.
 *
 * <p>Core calls these methods from any thread: from the thread that submitted the task, from a
 * device's I/O thread, or from a backend's completion thread. A driver hands the work to its own
 * I/O thread when it must (Netty: the channel's event loop).
 */
@ConsumerType
public interface TaskTransport {

  /**
   * A buffer of {@code length} bytes for this task's data, with position 0 and limit
   * {@code length}. The driver owns it and releases it once {@link #complete} has been handled
   * (or the task is dropped): a pooled, direct buffer is the usual answer.
   */
  ByteBuffer allocate(Task task, int length);

  /**
   * Core needs the task's Data-Out: fill {@code buffer} from its position to its limit (the
   * bytes the command transfers, immediate and unsolicited data first), then call
   * {@link Task#dataOutReceived()}, or {@link Task#dataOutFailed} when the data cannot come
   * (connection lost, initiator sent less than it announced).
   */
  void receiveDataOut(Task task, ByteBuffer buffer);

  /**
   * The task is done: send {@link Task#status()}, with {@link Task#sense()} when it is CHECK
   * CONDITION, and the Data-In in {@link Task#dataIn()} when there is some. Called exactly once
   * per submitted task.
   */
  void complete(Task task);
}
