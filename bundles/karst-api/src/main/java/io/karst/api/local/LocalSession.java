package io.karst.api.local;

import io.karst.api.scsi.TaskAttribute;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/** An I_T nexus opened by {@link LocalInitiator}; close it when done. */
@ProviderType
public interface LocalSession extends AutoCloseable {

  /**
   * Sends a command.
   *
   * @param lun the LUN
   * @param cdb the CDB
   * @param dataOut the Data-Out to send, or null for none
   * @param dataInLength the most Data-In bytes to accept (the allocation the caller makes)
   * @return the outcome, once the command has completed
   */
  CompletionStage<LocalResult> execute(long lun, byte[] cdb, byte[] dataOut, int dataInLength);

  /** {@link #execute(long, byte[], byte[], int)} with a task attribute other than SIMPLE. */
  CompletionStage<LocalResult> execute(
      long lun, byte[] cdb, byte[] dataOut, int dataInLength, TaskAttribute attribute);

  /** Ends the nexus. */
  @Override
  void close();
}
