package io.karst.core.internal;

import static io.karst.core.internal.TestBed.assertSense;
import static io.karst.core.internal.TestBed.cdb;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.local.LocalResult;
import io.karst.api.local.LocalSession;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseKey;
import io.karst.api.scsi.Status;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ExtendedCopyTest extends BedTest {

  /**
   * The host sees disk0 (512-byte blocks, 4 MiB), disk1 (4096-byte blocks) and disk2 read
   * only; disk3 is mapped to another initiator only.
   */
  @Override
  String config() {
    return """
        HANDLER memory {
            DEVICE disk0 {
                size 4M
            }
            DEVICE disk1 {
                size 256K
                blocksize 4096
            }
            DEVICE disk2 {
                size 64K
            }
            DEVICE disk3 {
                size 64K
            }
        }
        TARGET_DRIVER local {
            enabled 1
            TARGET t1 {
                enabled 1
                LUN 0 disk0
                LUN 1 disk1
                LUN 2 disk2 {
                    read_only 1
                }
                GROUP other {
                    LUN 0 disk3
                    INITIATOR iqn.other:*
                }
            }
        }
        """;
  }

  private static final int HOLD = 0;
  private static final int DISCARD = 2;
  private static final int NO_LIST_ID = 3;

  private static byte[] xcopy(int length) {
    return cdb(0x83, 0, 0, 0, 0, 0, 0, 0, 0, 0, length >> 24, length >> 16, length >> 8, length,
        0, 0);
  }

  private static byte[] receive(int action, int listId, int allocation) {
    return cdb(0x84, action, listId, 0, 0, 0, 0, 0, 0, 0, allocation >> 24, allocation >> 16,
        allocation >> 8, allocation, 0, 0);
  }

  private byte[] naa(String device) {
    return bed.engine.deviceMap().get(device).identity.naa();
  }

  /** An identification CSCD descriptor naming a device by its NAA designator. */
  private byte[] cscd(String device, int blockSize) {
    byte[] naa = naa(device);
    ByteBuffer d = ByteBuffer.allocate(32);
    d.put((byte) 0xE4).put((byte) 0).putShort((short) 0);
    d.put((byte) 0x01).put((byte) 0x03).put((byte) 0).put((byte) naa.length).put(naa);
    d.position(29);
    d.put((byte) (blockSize >> 16)).put((byte) (blockSize >> 8)).put((byte) blockSize);
    return d.array();
  }

  private static byte[] segment(int source, int destination, boolean dc, int blocks,
      long sourceLba, long destinationLba) {
    ByteBuffer d = ByteBuffer.allocate(28);
    d.put((byte) 0x02).put((byte) (dc ? 0x02 : 0)).putShort((short) 0x18);
    d.putShort((short) source).putShort((short) destination).putShort((short) 0);
    d.putShort((short) blocks).putLong(sourceLba).putLong(destinationLba);
    return d.array();
  }

  private static byte[] list(int listId, int usage, byte[][] cscds, byte[]... segments) {
    ByteArrayOutputStream c = new ByteArrayOutputStream();
    Arrays.stream(cscds).forEach(c::writeBytes);
    ByteArrayOutputStream s = new ByteArrayOutputStream();
    Arrays.stream(segments).forEach(s::writeBytes);
    ByteBuffer b = ByteBuffer.allocate(16 + c.size() + s.size());
    b.put((byte) listId).put((byte) (usage << 3)).putShort((short) c.size()).putInt(0);
    b.putInt(s.size()).putInt(0).put(c.toByteArray()).put(s.toByteArray());
    return b.array();
  }

  private LocalResult send(byte[] parameters) throws Exception {
    return bed.send(0, xcopy(parameters.length), parameters, 0);
  }

  private byte[] pattern(int lun, long lba, int blocks, int blockSize, long seed)
      throws Exception {
    byte[] data = new byte[blocks * blockSize];
    new Random(seed).nextBytes(data);
    ByteBuffer c = ByteBuffer.allocate(16).put((byte) 0x8A).put((byte) 0).putLong(lba)
        .putInt(blocks);
    assertThat(bed.send(lun, c.array(), data, 0).status()).isEqualTo(Status.GOOD);
    return data;
  }

  private byte[] read(int lun, long lba, int blocks, int blockSize) throws Exception {
    ByteBuffer c = ByteBuffer.allocate(16).put((byte) 0x88).put((byte) 0).putLong(lba)
        .putInt(blocks);
    LocalResult r = bed.send(lun, c.array(), null, blocks * blockSize);
    assertThat(r.status()).isEqualTo(Status.GOOD);
    return r.dataIn();
  }

  @Test
  void copiesWithinOneDevice() throws Exception {
    byte[] data = pattern(0, 0, 2048, 512, 1);
    LocalResult r = send(list(1, DISCARD, new byte[][] {cscd("disk0", 512)},
        segment(0, 0, false, 2048, 0, 6144)));
    assertThat(r.status()).isEqualTo(Status.GOOD);
    assertThat(read(0, 6144, 2048, 512)).isEqualTo(data);
  }

  @Test
  void theCopyRunsOnTheDeviceIoThreadsNotTheCallers() throws Exception {
    pattern(0, 0, 4096, 512, 7);
    bed.handler.writers.clear();
    assertThat(send(list(0, NO_LIST_ID, new byte[][] {cscd("disk0", 512)},
        segment(0, 0, false, 4096, 0, 4096))).status()).isEqualTo(Status.GOOD);
    // The memory backend completes inline: without the hop, a copy of gigabytes ran whole on
    // the thread that delivered the parameter list.
    assertThat(bed.handler.writers).hasSize(2)
        .allSatisfy(t -> assertThat(t).startsWith("karst-disk0-io-"));
  }

  @Test
  void overlappingRangesMoveOverSeveralChunks() throws Exception {
    // 5000 blocks: more than two chunks, the destination one block after the source.
    byte[] data = pattern(0, 100, 5000, 512, 2);
    assertThat(send(list(0, NO_LIST_ID, new byte[][] {cscd("disk0", 512)},
        segment(0, 0, false, 5000, 100, 101))).status()).isEqualTo(Status.GOOD);
    assertThat(read(0, 101, 5000, 512)).isEqualTo(data);
    // And back again, the destination before the source.
    assertThat(send(list(0, NO_LIST_ID, new byte[][] {cscd("disk0", 512)},
        segment(0, 0, false, 5000, 101, 99))).status()).isEqualTo(Status.GOOD);
    assertThat(read(0, 99, 5000, 512)).isEqualTo(data);
  }

  @Test
  void copiesBetweenDevicesOfDifferentBlockSizes() throws Exception {
    byte[] data = pattern(0, 8, 16, 512, 3);
    // DC 0: 16 source blocks of 512 bytes are 2 destination blocks of 4096.
    assertThat(send(list(0, NO_LIST_ID,
        new byte[][] {cscd("disk0", 512), cscd("disk1", 4096)},
        segment(0, 1, false, 16, 8, 5))).status()).isEqualTo(Status.GOOD);
    assertThat(read(1, 5, 2, 4096)).isEqualTo(data);
    // DC 1: the count is in destination blocks; the CSCD descriptor ID FFFFh is LUN 0 itself.
    assertThat(send(list(0, NO_LIST_ID, new byte[][] {cscd("disk1", 4096)},
        segment(0xFFFF, 0, true, 2, 8, 10))).status()).isEqualTo(Status.GOOD);
    assertThat(read(1, 10, 2, 4096)).isEqualTo(data);
    // Three 512-byte blocks are no whole number of 4096-byte blocks.
    LocalResult inexact = send(list(0, NO_LIST_ID,
        new byte[][] {cscd("disk0", 512), cscd("disk1", 4096)},
        segment(0, 1, false, 3, 8, 5)));
    assertSense(inexact, ExtendedCopy.UNEXPECTED_INEXACT_SEGMENT);
    assertThat(inexact.sense().senseKeySpecific()).isEqualTo(0x800000 | (16 + 64 + 10));
  }

  @Test
  void aDeviceTheNexusDoesNotReachCannotBeNamed() throws Exception {
    byte[] before = read(0, 0, 128, 512);
    LocalResult r = send(list(0, NO_LIST_ID,
        new byte[][] {cscd("disk3", 512), cscd("disk0", 512)},
        segment(0, 1, false, 128, 0, 0)));
    assertSense(r, ExtendedCopy.COPY_TARGET_DEVICE_NOT_REACHABLE);
    assertThat(r.sense().commandSpecificInformation()).isZero();
    assertThat(read(0, 0, 128, 512)).isEqualTo(before);
    // Its own initiator may copy it.
    LocalSession other = bed.driver.login("t1", "iqn.other:host");
    try {
      byte[] parameters = list(0, NO_LIST_ID, new byte[][] {cscd("disk3", 512)},
          segment(0, 0, false, 8, 0, 8));
      assertThat(TestBed.send(other, 0, xcopy(parameters.length), parameters, 0).status())
          .isEqualTo(Status.GOOD);
    } finally {
      other.close();
    }
  }

  @Test
  void aDestinationIndexOutsideTheListIsNotReachable() throws Exception {
    LocalResult r = send(list(0, NO_LIST_ID, new byte[][] {cscd("disk0", 512)},
        segment(0, 1, false, 8, 0, 8)));
    assertSense(r, ExtendedCopy.COPY_TARGET_DEVICE_NOT_REACHABLE);
    assertThat(r.sense().senseKeySpecific()).isEqualTo(0x800000 | (16 + 32 + 6));
  }

  @Test
  void aWriteProtectedDestinationIsRefusedAndMayBeASource() throws Exception {
    assertSense(send(list(0, NO_LIST_ID, new byte[][] {cscd("disk0", 512), cscd("disk2", 512)},
        segment(0, 1, false, 8, 0, 0))), Sense.WRITE_PROTECTED);
    assertThat(send(list(0, NO_LIST_ID, new byte[][] {cscd("disk2", 512), cscd("disk0", 512)},
        segment(0, 1, false, 8, 0, 0))).status()).isEqualTo(Status.GOOD);
  }

  @Test
  void aDeviceInSanitizeFailureModeIsNeitherReadNorWritten() throws Exception {
    bed.handler.failure = MemoryHandler.ioError();
    byte[] overwrite = {1, 0, 0, 1, 0x5A};
    assertSense(bed.send(1, cdb(0x48, 0x01, 0, 0, 0, 0, 0, 0, overwrite.length, 0), overwrite,
        0), Sanitize.COMMAND_FAILED);
    bed.handler.failure = null;
    byte[] before = read(0, 0, 8, 512);
    byte[][] both = {cscd("disk0", 512), cscd("disk1", 4096)};

    LocalResult r = send(list(0, NO_LIST_ID, both, segment(1, 0, false, 1, 0, 0)));
    assertSense(r, new Sense(SenseKey.COPY_ABORTED, 0x31, 0x03));
    assertThat(r.sense().senseKeySpecific()).isEqualTo(0x800000 | (16 + 64 + 4));
    assertThat(read(0, 0, 8, 512)).as("nothing of the failed medium copied").isEqualTo(before);
    assertSense(send(list(0, NO_LIST_ID, both, segment(0, 1, false, 8, 0, 0))),
        new Sense(SenseKey.COPY_ABORTED, 0x31, 0x03));
  }

  @Test
  void aWriteErrorReportsTheSegmentsResidualOnceDataReachedTheDestination() throws Exception {
    byte[][] one = {cscd("disk0", 512)};
    // 3072 blocks from LBA 0 to LBA 4096 go in two chunks of 1 MiB: the second write fails.
    bed.handler.failAt = (4096 + 2048 + 10) * 512L;
    LocalResult r = send(list(0, NO_LIST_ID, one, segment(0, 0, false, 8, 0, 16),
        segment(0, 0, false, 3072, 0, 4096)));
    assertSense(r, new Sense(SenseKey.COPY_ABORTED, 0x0C, 0x00));
    assertThat(r.sense().commandSpecificInformation()).as("the segment").isEqualTo(1);
    assertThat(r.sense().hasInformation()).isTrue();
    assertThat(r.sense().information()).as("blocks not written").isEqualTo(3072 - 2048);
    // A failure in the segment's first chunk: nothing written, INFORMATION not defined.
    bed.handler.failAt = (4096 + 10) * 512L;
    r = send(list(0, NO_LIST_ID, one, segment(0, 0, false, 3072, 0, 4096)));
    assertSense(r, new Sense(SenseKey.COPY_ABORTED, 0x0C, 0x00));
    assertThat(r.sense().hasInformation()).isFalse();
  }

  @Test
  void everySegmentIsCheckedBeforeAnyIsCopied() throws Exception {
    byte[] before = read(0, 100, 8, 512);
    pattern(0, 0, 8, 512, 4);
    LocalResult r = send(list(0, NO_LIST_ID, new byte[][] {cscd("disk0", 512)},
        segment(0, 0, false, 8, 0, 100), segment(0, 0, false, 16, 0, 8192 - 8)));
    assertSense(r, ExtendedCopy.COPY_ABORTED);
    assertThat(r.sense().commandSpecificInformation()).isEqualTo(1);
    assertThat(r.sense().senseKeySpecific()).isEqualTo(0x800000 | (16 + 32 + 28 + 20));
    assertThat(read(0, 100, 8, 512)).isEqualTo(before);
  }

  @Test
  void parameterListHeaderIsCheckedFieldByField() throws Exception {
    byte[][] one = {cscd("disk0", 512)};
    byte[] seg = segment(0, 0, false, 8, 0, 8);
    assertThat(bed.send(0, xcopy(0), null, 0).status()).isEqualTo(Status.GOOD);
    assertSense(bed.send(0, xcopy(8), new byte[8], 0), Sense.PARAMETER_LIST_LENGTH_ERROR);
    LocalResult usage = send(list(0, 1, one, seg));
    assertSense(usage, Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    assertThat(usage.sense().senseKeySpecific()).isEqualTo(0x800000 | 0x080000 | 0x040000 | 1);
    LocalResult noId = send(list(7, NO_LIST_ID, one, seg));
    assertSense(noId, Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    assertThat(noId.sense().senseKeySpecific() & 0xFFFF).isZero();
    byte[] inline = list(0, NO_LIST_ID, one, seg);
    inline[15] = 4;
    assertSense(send(inline), Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    byte[] whole = list(0, NO_LIST_ID, one, seg);
    assertSense(bed.send(0, xcopy(whole.length - 1), Arrays.copyOf(whole, whole.length - 1), 0),
        Sense.PARAMETER_LIST_LENGTH_ERROR);
    assertSense(bed.send(0, xcopy(16 + ExtendedCopy.MAX_DESCRIPTOR_LIST_LENGTH + 1),
        new byte[16 + ExtendedCopy.MAX_DESCRIPTOR_LIST_LENGTH + 1], 0),
        Sense.PARAMETER_LIST_LENGTH_ERROR);
    assertSense(bed.send(0, cdb(0x83, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), null, 0),
        Sense.INVALID_FIELD_IN_CDB);
  }

  @Test
  void descriptorCountsAndTypesAreLimited() throws Exception {
    byte[][] many = new byte[ExtendedCopy.MAX_CSCD_DESCRIPTORS + 1][];
    Arrays.fill(many, cscd("disk0", 512));
    assertSense(send(list(0, NO_LIST_ID, many, segment(0, 0, false, 8, 0, 8))),
        ExtendedCopy.TOO_MANY_TARGET_DESCRIPTORS);
    byte[][] segments = new byte[ExtendedCopy.MAX_SEGMENT_DESCRIPTORS + 1][];
    Arrays.fill(segments, segment(0, 0, false, 8, 0, 8));
    assertSense(send(list(0, NO_LIST_ID, new byte[][] {cscd("disk0", 512)}, segments)),
        ExtendedCopy.TOO_MANY_SEGMENT_DESCRIPTORS);
    byte[] fibreChannel = cscd("disk0", 512);
    fibreChannel[0] = (byte) 0xE0;
    assertSense(send(list(0, NO_LIST_ID, new byte[][] {fibreChannel},
        segment(0, 0, false, 8, 0, 8))), ExtendedCopy.UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE);
    byte[] stream = segment(0, 0, false, 8, 0, 8);
    stream[0] = 0x03;
    assertSense(send(list(0, NO_LIST_ID, new byte[][] {cscd("disk0", 512)}, stream)),
        ExtendedCopy.UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE);
    // A list longer than the limit, though each count is within its own.
    byte[][] full = new byte[ExtendedCopy.MAX_SEGMENT_DESCRIPTORS][];
    Arrays.fill(full, segment(0, 0, false, 8, 0, 8));
    byte[][] two = {cscd("disk0", 512), cscd("disk0", 512), cscd("disk0", 512),
        cscd("disk0", 512), cscd("disk0", 512), cscd("disk0", 512), cscd("disk0", 512),
        cscd("disk0", 512), };
    byte[] longest = list(0, NO_LIST_ID, two, full);
    assertThat(longest.length).isEqualTo(16 + ExtendedCopy.MAX_DESCRIPTOR_LIST_LENGTH);
    assertThat(send(longest).status()).isEqualTo(Status.GOOD);
    byte[] wrongBlock = cscd("disk0", 4096);
    assertSense(send(list(0, NO_LIST_ID, new byte[][] {wrongBlock},
        segment(0, 0, false, 8, 0, 8))), Sense.INVALID_FIELD_IN_PARAMETER_LIST);
  }

  @Test
  void copyStatusOfAHeldCopyUntilReported() throws Exception {
    assertSense(bed.send(0, receive(0, 5, 64), null, 64), Sense.INVALID_FIELD_IN_CDB);
    assertThat(send(list(5, HOLD, new byte[][] {cscd("disk0", 512)},
        segment(0, 0, false, 2048, 0, 4096), segment(0, 0, false, 8, 0, 8))).status())
        .isEqualTo(Status.GOOD);
    // No failure: no failed segment details.
    assertThat(bed.send(0, receive(4, 5, 64), null, 64).dataIn()).containsExactly(0, 0, 0, 0);
    ByteBuffer status = ByteBuffer.wrap(bed.send(0, receive(0, 5, 64), null, 64).dataIn());
    assertThat(status.getInt(0)).isEqualTo(8);
    assertThat(status.get(4)).isEqualTo((byte) CopyResults.COMPLETED);
    assertThat(status.getShort(5)).isEqualTo((short) 2);
    assertThat(status.get(7)).isEqualTo((byte) 1);
    assertThat(status.getInt(8)).isEqualTo((2048 + 8) * 512 / 1024);
    // Reported: discarded, and a status for another LUN's copy manager is not this one's.
    assertSense(bed.send(0, receive(0, 5, 64), null, 64), Sense.INVALID_FIELD_IN_CDB);
    // With LIST ID USAGE 10b nothing is held after the copy.
    assertThat(send(list(6, DISCARD, new byte[][] {cscd("disk0", 512)},
        segment(0, 0, false, 8, 0, 8))).status()).isEqualTo(Status.GOOD);
    assertSense(bed.send(0, receive(0, 6, 64), null, 64), Sense.INVALID_FIELD_IN_CDB);
  }

  @Test
  void failedSegmentDetailsOfAFailedCopy() throws Exception {
    LocalResult failed = send(list(9, HOLD, new byte[][] {cscd("disk0", 512)},
        segment(0, 3, false, 8, 0, 8)));
    assertSense(failed, ExtendedCopy.COPY_TARGET_DEVICE_NOT_REACHABLE);
    ByteBuffer status = ByteBuffer.wrap(bed.send(0, receive(0, 9, 64), null, 64).dataIn());
    assertThat(status.get(4)).isEqualTo((byte) CopyResults.FAILED);
    ByteBuffer details = ByteBuffer.wrap(bed.send(0, receive(4, 9, 256), null, 256).dataIn());
    assertThat(details.get(56)).isEqualTo((byte) Status.CHECK_CONDITION.code());
    int length = details.getShort(58);
    assertThat(length).isEqualTo(18);
    assertThat(details.get(60 + 2) & 0x0F).isEqualTo(SenseKey.COPY_ABORTED.code());
    assertThat(details.get(60 + 12)).isEqualTo((byte) 0x0D);
    // Both reported: the list identifier is free.
    assertSense(bed.send(0, receive(4, 9, 256), null, 256), Sense.INVALID_FIELD_IN_CDB);
  }

  @Test
  void aReservedDestinationConflicts() throws Exception {
    LocalSession other = bed.driver.login("t1", "iqn.third:host");
    try {
      assertThat(TestBed.send(other, 1, cdb(0x16, 0, 0, 0, 0, 0), null, 0).status())
          .isEqualTo(Status.GOOD);
      LocalResult r = send(list(0, NO_LIST_ID,
          new byte[][] {cscd("disk0", 512), cscd("disk1", 4096)},
          segment(0, 1, false, 8, 0, 0)));
      assertThat(r.status()).isEqualTo(Status.RESERVATION_CONFLICT);
    } finally {
      other.close();
    }
  }

  @Test
  void underAnotherNexusPersistentReservationResultsStayReadable() throws Exception {
    LocalSession holder = bed.driver.login("t1", "iqn.third:host");
    try {
      assertThat(PersistentReservationsTest.prout(holder, 0x00, 0, 0, 0xAB).status())
          .isEqualTo(Status.GOOD);
      // RESERVE, Exclusive Access.
      assertThat(PersistentReservationsTest.prout(holder, 0x01, 0x03, 0xAB, 0).status())
          .isEqualTo(Status.GOOD);
      assertThat(send(list(0, NO_LIST_ID, new byte[][] {cscd("disk0", 512)},
          segment(0, 0, false, 8, 0, 8))).status()).isEqualTo(Status.RESERVATION_CONFLICT);
      assertThat(bed.send(0, receive(3, 0, 1024), null, 1024).status())
          .isEqualTo(Status.GOOD);
    } finally {
      holder.close();
    }
  }

  @Test
  void operatingParametersAndTheVpdPageAgree() throws Exception {
    ByteBuffer op = ByteBuffer.wrap(bed.send(0, receive(3, 0, 1024), null, 1024).dataIn());
    assertThat(op.getInt(0)).isEqualTo(op.capacity() - 4);
    assertThat(op.get(4) & 0x01).as("SNLID").isEqualTo(1);
    assertThat(op.getShort(8)).isEqualTo((short) ExtendedCopy.MAX_CSCD_DESCRIPTORS);
    assertThat(op.getShort(10)).isEqualTo((short) ExtendedCopy.MAX_SEGMENT_DESCRIPTORS);
    assertThat(op.getInt(12)).isEqualTo(ExtendedCopy.MAX_DESCRIPTOR_LIST_LENGTH);
    assertThat(op.getInt(16)).isEqualTo(ExtendedCopy.MAX_SEGMENT_BYTES);
    assertThat(op.get(37)).isEqualTo((byte) 9);
    assertThat(op.get(43)).isEqualTo((byte) 2);
    assertThat(op.get(44)).isEqualTo((byte) 0x02);
    assertThat(op.get(45)).isEqualTo((byte) 0xE4);
    byte[] page = bed.send(0, cdb(0x12, 1, 0x8F, 1, 0, 0), null, 256).dataIn();
    ByteBuffer vpd = ByteBuffer.wrap(page);
    assertThat(vpd.get(1)).isEqualTo((byte) 0x8F);
    assertThat(vpd.getShort(2)).isEqualTo((short) (page.length - 4));
    // Supported Commands, then Parameter Data with the same limits.
    assertThat(vpd.getShort(4)).isEqualTo((short) 0x0001);
    int parameters = 4 + 4 + vpd.getShort(6);
    assertThat(vpd.getShort(parameters)).isEqualTo((short) 0x0004);
    assertThat(vpd.getShort(parameters + 8)).isEqualTo(op.getShort(8));
    assertThat(vpd.getShort(parameters + 10)).isEqualTo(op.getShort(10));
    assertThat(vpd.getInt(parameters + 12)).isEqualTo(op.getInt(12));
    byte[] pages = bed.send(0, cdb(0x12, 1, 0, 0, 64, 0), null, 64).dataIn();
    assertThat(Arrays.copyOfRange(pages, 4, pages.length)).contains((byte) 0x8F);
    byte[] standard = bed.send(0, cdb(0x12, 0, 0, 0, 96, 0), null, 96).dataIn();
    assertThat(standard[5] & 0x08).as("3PC").isEqualTo(0x08);
  }

  @Test
  void aCopyWaitsForAnAtomicCommandOnItsRange() throws Exception {
    byte[] data = pattern(0, 0, 32, 512, 5);
    RangeLock ranges = bed.engine.deviceMap().get("disk0").ranges;
    AtomicReference<RangeLock.Hold> atomic = new AtomicReference<>();
    // As COMPARE AND WRITE holds blocks 8 to 15 between its read and its write.
    ranges.exclusive(null, 8, 8, atomic::set);
    assertThat(atomic.get()).isNotNull();
    byte[] overlapping = list(0, NO_LIST_ID, new byte[][] {cscd("disk0", 512)},
        segment(0, 0, false, 32, 0, 1000));
    CompletableFuture<LocalResult> waiting =
        bed.session.execute(0, xcopy(overlapping.length), overlapping, 0).toCompletableFuture();
    assertThat(send(list(0, NO_LIST_ID, new byte[][] {cscd("disk0", 512)},
        segment(0, 0, false, 8, 100, 2000))).status()).as("elsewhere on the device")
        .isEqualTo(Status.GOOD);
    assertThat(waiting).isNotDone();
    atomic.get().end();
    assertThat(waiting.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.GOOD);
    assertThat(read(0, 1000, 32, 512)).isEqualTo(data);
  }

  @Test
  void receiveDataIsNotOffered() throws Exception {
    assertSense(bed.send(0, receive(1, 0, 64), null, 64), Sense.INVALID_FIELD_IN_CDB);
  }
}
