package io.karst.core.internal;

import static io.karst.core.internal.TestBed.assertSense;
import static io.karst.core.internal.TestBed.cdb;
import static io.karst.core.internal.TestBed.read10;
import static io.karst.core.internal.TestBed.write10;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.local.LocalResult;
import io.karst.api.local.LocalSession;
import io.karst.api.scsi.DataDirection;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.Status;
import io.karst.api.scsi.TaskAttribute;
import io.karst.api.scsi.TaskManagementFunction;
import io.karst.api.scsi.TaskManagementResponse;
import io.karst.api.target.Session;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * SANITIZE on a thin 4 MiB disk0 (four chunks of overwrite) and the read-only LUN 3 of a thick
 * disk1, through the local driver; task management through a probe driver's session.
 */
class SanitizeTest extends BedTest {

  private static final byte[] TUR = cdb(0, 0, 0, 0, 0, 0);
  private static final byte[] INQUIRY = cdb(0x12, 0, 0, 0, 36, 0);
  private static final byte[] REQUEST_SENSE = cdb(0x03, 0, 0, 0, 18, 0);
  private static final int DISK0 = 4 << 20;

  @Override
  String config() {
    return TestBed.CONFIG.replace("size 1M", "size 4M\n        thin 1")
        + "TARGET_DRIVER probe {\n enabled 1\n TARGET p {\n  enabled 1\n  LUN 0 disk0\n }\n}\n";
  }

  private static byte[] sanitize(int flags, int length) {
    return cdb(0x48, flags, 0, 0, 0, 0, 0, length >> 8, length, 0);
  }

  /** The OVERWRITE parameter list: INVERT, OVERWRITE COUNT and a pattern. */
  private static byte[] overwrite(boolean invert, int count, byte... pattern) {
    ByteBuffer b = ByteBuffer.allocate(4 + pattern.length);
    b.put((byte) ((invert ? 0x80 : 0) | count)).put((byte) 0).putShort((short) pattern.length);
    return b.put(pattern).array();
  }

  private LocalResult send(int flags, byte[] list) throws Exception {
    return bed.send(0, sanitize(flags, list == null ? 0 : list.length), list, 0);
  }

  private byte[] medium() throws Exception {
    byte[] all = new byte[DISK0];
    for (int at = 0; at < DISK0; at += 64 << 10) {
      byte[] part = bed.send(0, read10(at / 512, 128), null, 64 << 10).dataIn();
      System.arraycopy(part, 0, all, at, part.length);
    }
    return all;
  }

  /** Checks every byte of the medium; the first that differs is reported. */
  private void assertMedium(int expected) throws Exception {
    byte[] all = new byte[DISK0];
    Arrays.fill(all, (byte) expected);
    assertMedium(all);
  }

  private void assertMedium(byte[] expected) throws Exception {
    assertThat(Arrays.mismatch(medium(), expected)).as("first byte that differs").isEqualTo(-1);
  }

  private void fill(int value) throws Exception {
    byte[] data = new byte[64 << 10];
    Arrays.fill(data, (byte) value);
    for (int at = 0; at < DISK0; at += data.length) {
      assertThat(bed.send(0, write10(at / 512, 128), data, 0).good()).isTrue();
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    // The operation starts on the device's I/O threads; a test that never sees it fails on
    // the test runner's own timeout.
    while (!condition.getAsBoolean()) {
      Thread.sleep(5);
    }
  }

  /** Lets the parked chunks and the rest of the operation run, and waits for its end. */
  private void drain() throws Exception {
    bed.handler.parkWrites = false;
    while (bed.send(0, TUR, null, 0).status() != Status.GOOD) {
      while (!bed.handler.parked.isEmpty()) {
        bed.handler.parked.remove(0).run();
      }
      Thread.sleep(5);
    }
  }

  private static int progress(Sense s) {
    assertThat(s.senseKeySpecific() & 0x800000).as("SKSV").isNotZero();
    return s.senseKeySpecific() & 0xFFFF;
  }

  @Test
  void overwriteWritesThePatternFromTheStartOfEveryBlock() throws Exception {
    fill(0x61);
    assertThat(send(0x01, overwrite(false, 1, (byte) 1, (byte) 2, (byte) 3)).good()).isTrue();
    byte[] expected = new byte[DISK0];
    for (int i = 0; i < DISK0; i++) {
      expected[i] = (byte) (1 + (i % 512) % 3);
    }
    assertMedium(expected);
  }

  @Test
  void invertedPassesEndWithThePatternItself() throws Exception {
    for (int count : new int[] {2, 3}) {
      fill(0);
      assertThat(send(0x01, overwrite(true, count, (byte) 0x0F)).good()).isTrue();
      assertMedium(0x0F);
    }
  }

  @Test
  void badFieldsOfTheCdbAreRefused() throws Exception {
    byte[] list = overwrite(false, 1, new byte[512]);
    for (int length = 0; length <= 4; length++) {
      assertSense(bed.send(0, sanitize(0x01, length), list, 0), Sense.INVALID_FIELD_IN_CDB);
    }
    byte[] longer = Arrays.copyOf(list, 517);
    assertSense(bed.send(0, sanitize(0x01, 517), longer, 0), Sense.INVALID_FIELD_IN_CDB);
    for (int action : new int[] {0x00, 0x03, 0x04, 0x10, 0x1E}) {
      assertSense(send(action, null), Sense.INVALID_FIELD_IN_CDB);
    }
    assertSense(bed.send(0, sanitize(0x02, 8), new byte[8], 0), Sense.INVALID_FIELD_IN_CDB);
    assertSense(bed.send(0, sanitize(0x1F, 8), new byte[8], 0), Sense.INVALID_FIELD_IN_CDB);
    assertSense(send(0x40 | 0x02, null), Sense.INVALID_FIELD_IN_CDB);
    for (int at = 2; at <= 6; at++) {
      byte[] c = sanitize(0x02, 0);
      c[at] = 1;
      assertSense(bed.send(0, c, null, 0), Sense.INVALID_FIELD_IN_CDB);
    }
    assertThat(bed.handler.unmapped).as("nothing was erased").isEmpty();
  }

  @Test
  void badFieldsOfTheParameterListAreRefused() throws Exception {
    byte[][] bad = {
        overwrite(false, 0, (byte) 1),
        {0x01, 0, 0, 0, 1},
        {0x21, 0, 0, 1, 1},
        {0x01, 1, 0, 1, 1},
        {0x01, 0, 0, 2, 1, 1, 1},
    };
    for (byte[] list : bad) {
      LocalResult r = bed.send(0, sanitize(0x01, list.length), list, 0);
      assertThat(r.sense()).as(Arrays.toString(list)).isNotNull();
      assertThat(r.sense().asc()).as(Arrays.toString(list)).isEqualTo(0x26);
    }
    byte[] tooLong = new byte[4 + 512];
    ByteBuffer.wrap(tooLong).put((byte) 1).put((byte) 0).putShort((short) 513);
    assertSense(bed.send(0, sanitize(0x01, tooLong.length), tooLong, 0),
        Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    assertThat(bed.send(0, TUR, null, 0).good()).as("no operation started").isTrue();
  }

  @Test
  void blockEraseDeallocatesEveryBlockOfAThinUnit() throws Exception {
    fill(0x61);
    assertThat(send(0x02, null).good()).isTrue();
    assertThat(bed.handler.unmapped).as("a chunk at a time").containsExactly("0+1048576",
        "1048576+1048576", "2097152+1048576", "3145728+1048576");
    assertMedium(0);
    byte[] characteristics = bed.send(0, cdb(0x12, 1, 0xB1, 0, 64, 0), null, 64).dataIn();
    assertThat(characteristics[7] & 0xC0).as("WABEREQ").isEqualTo(0x40);
  }

  @Test
  void aFullyProvisionedUnitHasNoBlockErase() throws Exception {
    bed.close();
    bed = new TestBed(dir, TestBed.CONFIG);
    assertSense(send(0x02, null), Sense.INVALID_FIELD_IN_CDB);
    byte[] one = bed.send(0, cdb(0xA3, 0x0C, 2, 0x48, 0, 2, 0, 0, 2, 0, 0, 0), null, 512)
        .dataIn();
    assertThat(one[1] & 0x07).as("not supported").isEqualTo(1);
    byte[] characteristics = bed.send(0, cdb(0x12, 1, 0xB1, 0, 64, 0), null, 64).dataIn();
    assertThat(characteristics[7] & 0xC0).as("WABEREQ").isZero();
  }

  @Test
  void supportedOperationsListTheServiceActionsOffered() throws Exception {
    for (int action : new int[] {0x01, 0x02, 0x1F}) {
      byte[] one = bed.send(0, cdb(0xA3, 0x0C, 2, 0x48, 0, action, 0, 0, 2, 0, 0, 0), null,
          512).dataIn();
      assertThat(one[1] & 0x07).as("service action %d", action).isEqualTo(3);
      assertThat(Arrays.copyOfRange(one, 4, 14)).as("IMMED, AUSE, the service action")
          .containsExactly(cdb(0x48, 0xA0 | action, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0));
    }
    byte[] crypto = bed.send(0, cdb(0xA3, 0x0C, 2, 0x48, 0, 3, 0, 0, 2, 0, 0, 0), null, 512)
        .dataIn();
    assertThat(crypto[1] & 0x07).isEqualTo(1);
  }

  @Test
  void withImmedTheCommandEndsAtOnceAndTheUnitReportsProgress() throws Exception {
    bed.handler.parkWrites = true;
    assertThat(send(0x81, overwrite(false, 1, (byte) 0x55)).good()).isTrue();
    await(() -> bed.handler.parked.size() == 1);

    LocalResult tur = bed.send(0, TUR, null, 0);
    assertSense(tur, Sanitize.IN_PROGRESS);
    assertThat(progress(tur.sense())).isZero();
    assertSense(bed.send(0, read10(0, 1), null, 512), Sanitize.IN_PROGRESS);
    assertSense(send(0x02, null), Sanitize.IN_PROGRESS);
    assertThat(bed.send(0, INQUIRY, null, 36).good()).isTrue();
    assertThat(bed.send(0, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0), null, 64).good())
        .isTrue();

    bed.handler.parked.remove(0).run();
    byte[] sense = bed.send(0, REQUEST_SENSE, null, 18).dataIn();
    assertThat(Arrays.copyOfRange(sense, 12, 14)).containsExactly(0x04, 0x1B);
    assertThat(sense[2] & 0x0F).isEqualTo(0x02);
    assertThat(sense[15] & 0xFF).as("SKSV").isEqualTo(0x80);
    assertThat(((sense[16] & 0xFF) << 8) | (sense[17] & 0xFF)).as("a quarter done")
        .isEqualTo(0x4000);

    drain();
    assertMedium(0x55);
  }

  @Test
  void blocksAddedWhileTheOperationRunsAreSanitizedToo() throws Exception {
    fill(0x11);
    bed.handler.parkWrites = true;
    assertThat(send(0x81, overwrite(false, 1, (byte) 0x55)).good()).isTrue();
    await(() -> bed.handler.parked.size() == 1);
    bed.engine.set("/devices/disk0", "size", "5M");

    drain();
    assertMedium(0x55);
    byte[] added = bed.send(0, read10(DISK0 / 512, 2048), null, 1 << 20).dataIn();
    assertThat(added).as("the megabyte added").containsOnly(0x55);
  }

  @Test
  void theOperationOutlivesAbortsResetsAndTheNexus() throws Exception {
    ProbeDriver probe = new ProbeDriver("probe");
    bed.engine.addDriver(probe);
    bed.engine.settle();
    Session s = probe.context.openSession("p", "iqn.test:probe", reason -> { });
    bed.handler.parkWrites = true;
    CompletableFuture<Status> ended = new CompletableFuture<>();
    s.newTask(Transports.ending(t -> ended.complete(t.status())), 7, 0, sanitize(0x02, 0),
        TaskAttribute.SIMPLE, DataDirection.NONE, 0).submit();
    await(() -> bed.handler.parked.size() == 1);
    assertThat(ended).as("without IMMED, the command waits for the operation").isNotDone();

    CompletionStage<TaskManagementResponse> abort =
        s.manage(TaskManagementFunction.ABORT_TASK, 0, 7);
    bed.handler.parked.remove(0).run();
    assertThat(get(abort)).isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
    assertThat(get(ended)).isEqualTo(Status.TASK_ABORTED);
    assertThat(get(s.manage(TaskManagementFunction.LOGICAL_UNIT_RESET, 0, 0)))
        .isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
    s.close();
    assertSense(bed.send(0, TUR, null, 0), Sanitize.IN_PROGRESS);

    // A reset with reset_ua 0 raises nothing, so the unit is simply ready again when done.
    drain();
    assertThat(bed.handler.unmapped).hasSize(4);
  }

  @Test
  void aBlockEraseReachesTheMediumPastTheVolatileCache() throws Exception {
    bed.handler.flushes.set(0);
    assertThat(send(0x02, null).good()).isTrue();
    assertThat(bed.handler.unmapped).hasSize(4);
    assertThat(bed.handler.flushes.get()).as("the deallocation flushed").isEqualTo(1);
  }

  @Test
  void withoutImmedTheCommandEndsWithTheOperation() throws Exception {
    CompletableFuture<LocalResult> running = bed.session.execute(0, sanitize(0x02, 0), null, 0)
        .toCompletableFuture();
    assertThat(get(running).good()).isTrue();
    assertThat(bed.handler.unmapped).hasSize(4);
  }

  @Test
  void aFailedOperationLeavesTheUnitInFailureModeUntilOneSucceeds() throws Exception {
    bed.handler.failure = MemoryHandler.ioError();
    assertSense(send(0x01, overwrite(false, 1, (byte) 1)), Sanitize.COMMAND_FAILED);
    bed.handler.failure = null;
    assertSense(bed.send(0, read10(0, 1), null, 512), Sanitize.COMMAND_FAILED);
    assertSense(bed.send(0, write10(0, 1), new byte[512], 0), Sanitize.COMMAND_FAILED);
    assertSense(bed.send(0, cdb(0x04, 0, 0, 0, 0, 0), null, 0), Sanitize.COMMAND_FAILED);
    assertThat(bed.send(0, TUR, null, 0).good()).as("no medium access").isTrue();
    byte[] sense = bed.send(0, REQUEST_SENSE, null, 18).dataIn();
    assertThat(Arrays.copyOfRange(sense, 12, 14)).containsExactly(0x31, 0x03);

    assertSense(send(0x1F, null), Sense.INVALID_FIELD_IN_CDB);
    assertSense(send(0x20 | 0x02, null), Sense.INVALID_FIELD_IN_CDB);
    assertThat(send(0x02, null).good()).as("an operation in the restricted mode").isTrue();
    assertThat(bed.send(0, read10(0, 1), null, 512).good()).isTrue();
  }

  @Test
  void exitFailureModeEndsAnUnrestrictedFailure() throws Exception {
    assertThat(send(0x1F, null).good()).as("nothing to exit").isTrue();
    bed.handler.failure = MemoryHandler.ioError();
    assertSense(send(0x20 | 0x02, null), Sanitize.COMMAND_FAILED);
    bed.handler.failure = null;
    assertSense(bed.send(0, read10(0, 1), null, 512), Sanitize.COMMAND_FAILED);
    assertThat(send(0x1F, null).good()).isTrue();
    assertThat(bed.send(0, read10(0, 1), null, 512).good()).isTrue();
  }

  @Test
  void aWriteProtectedUnitIsNotSanitized() throws Exception {
    assertSense(bed.send(3, sanitize(0x01, 8), overwrite(false, 1, new byte[4]), 0),
        Sense.WRITE_PROTECTED);
    byte[] control = bed.send(0, cdb(0x1A, 0x08, 0x0A, 0, 255, 0), null, 255).dataIn();
    control[0] = 0;
    control[4 + 4] |= 0x08; // SWP
    assertThat(bed.send(0, cdb(0x15, 0x10, 0, 0, control.length, 0), control, 0).good())
        .isTrue();
    assertSense(send(0x02, null), Sense.WRITE_PROTECTED);
    assertThat(bed.handler.unmapped).isEmpty();
  }

  @Test
  void anotherNexusReservationConflicts() throws Exception {
    try (LocalSession other = bed.driver.login("t1", "iqn.test:other")) {
      assertThat(TestBed.send(other, 0, cdb(0x16, 0, 0, 0, 0, 0), null, 0).good()).isTrue();
      assertThat(send(0x02, null).status()).isEqualTo(Status.RESERVATION_CONFLICT);
    }
  }

  @Test
  void progressIsInTheSenseKeySpecificBytes() {
    byte[] fixed = Sanitize.IN_PROGRESS.withProgressIndication(0x1234).toBytes();
    assertThat(Arrays.copyOfRange(fixed, 15, 18)).containsExactly(0x80, 0x12, 0x34);
    byte[] descriptor = Sanitize.IN_PROGRESS.withProgressIndication(0x1234).inFormat(true)
        .toBytes();
    assertThat(Arrays.copyOfRange(descriptor, 8, 16))
        .containsExactly(0x02, 0x06, 0, 0, 0x80, 0x12, 0x34, 0);
  }

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }
}
