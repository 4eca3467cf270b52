package io.karst.core.internal;

import static io.karst.core.internal.TestBed.assertSense;
import static io.karst.core.internal.TestBed.cdb;
import static io.karst.core.internal.TestBed.read10;
import static io.karst.core.internal.TestBed.write10;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.local.LocalResult;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseException;
import io.karst.api.scsi.SenseKey;
import io.karst.api.scsi.Status;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SbcTest extends BedTest {

  private static byte[] pattern(int length, int seed) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (i * 31 + seed);
    }
    return b;
  }

  @Test
  void readCapacity() throws Exception {
    ByteBuffer ten = ByteBuffer.wrap(bed.send(0, cdb(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0), null, 8)
        .dataIn());
    assertThat(ten.getInt(0)).isEqualTo(2047);
    assertThat(ten.getInt(4)).isEqualTo(512);
    byte[] sixteen = new byte[16];
    sixteen[0] = (byte) 0x9E;
    sixteen[1] = 0x10;
    sixteen[13] = 32;
    ByteBuffer b = ByteBuffer.wrap(bed.send(3, sixteen, null, 32).dataIn());
    assertThat(b.getLong(0)).isEqualTo(15);
    assertThat(b.getInt(8)).isEqualTo(4096);
  }

  @Test
  void everyReadAndWriteSizeRoundTrips() throws Exception {
    byte[] data = pattern(1024, 7);
    byte[][] writes = {
        cdb(0x0A, 0, 0, 10, 2, 0),
        write10(20, 2),
        cdb(0xAA, 0, 0, 0, 0, 30, 0, 0, 0, 2, 0, 0),
        cdb(0x8A, 0, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0, 2, 0, 0)};
    byte[][] reads = {
        cdb(0x08, 0, 0, 10, 2, 0),
        read10(20, 2),
        cdb(0xA8, 0, 0, 0, 0, 30, 0, 0, 0, 2, 0, 0),
        cdb(0x88, 0, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0, 2, 0, 0)};
    for (int i = 0; i < writes.length; i++) {
      assertThat(bed.send(0, writes[i], data, 0).good()).isTrue();
      LocalResult r = bed.send(0, reads[i], null, 1024);
      assertThat(r.good()).isTrue();
      assertThat(r.dataIn()).isEqualTo(data);
    }
    assertThat(Arrays.copyOfRange(bed.handler.media.get("disk0"), 20 * 512, 22 * 512))
        .isEqualTo(data);
  }

  @Test
  void fuaReachesTheBackendAndDpoIsAccepted() throws Exception {
    byte[] data = pattern(512, 3);
    byte[][] writes = {
        cdb(0x0A, 0, 0, 10, 1, 0),
        cdb(0x2A, 0x08, 0, 0, 0, 20, 0, 0, 1, 0),
        cdb(0x2A, 0x10, 0, 0, 0, 20, 0, 0, 1, 0),
        cdb(0xAA, 0x18, 0, 0, 0, 30, 0, 0, 0, 1, 0, 0),
        cdb(0x8A, 0x08, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0, 1, 0, 0)};
    for (byte[] w : writes) {
      assertThat(bed.send(0, w, data, 0).good()).isTrue();
    }
    assertThat(bed.handler.fua).containsExactly(false, true, false, true, true);
    byte[][] reads = {
        cdb(0x28, 0x18, 0, 0, 0, 20, 0, 0, 1, 0),
        cdb(0xA8, 0x08, 0, 0, 0, 30, 0, 0, 0, 1, 0, 0),
        cdb(0x88, 0x10, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0, 1, 0, 0)};
    for (byte[] r : reads) {
      assertThat(bed.send(0, r, null, 512).dataIn()).isEqualTo(data);
    }
  }

  @Test
  void zeroLengthTransfersDoNothing() throws Exception {
    LocalResult r = bed.send(0, read10(0, 0), null, 0);
    assertThat(r.good()).isTrue();
    assertThat(r.dataIn()).isEmpty();
  }

  @Test
  void outOfRange() throws Exception {
    assertSense(bed.send(0, read10(2047, 2), null, 1024), Sense.LBA_OUT_OF_RANGE);
    assertSense(bed.send(0, write10(4000, 1), new byte[512], 0), Sense.LBA_OUT_OF_RANGE);
    assertThat(bed.send(0, read10(2047, 1), null, 512).good()).isTrue();
  }

  @Test
  void readOnlyLunRefusesWrites() throws Exception {
    assertSense(bed.send(3, write10(0, 1), new byte[4096], 0), Sense.WRITE_PROTECTED);
  }

  @Test
  void unknownOpcodeAndNaca() throws Exception {
    assertSense(bed.send(0, cdb(0xC0, 0, 0, 0, 0, 0), null, 0),
        Sense.INVALID_COMMAND_OPERATION_CODE);
    LocalResult naca = bed.send(0, cdb(0, 0, 0, 0, 0, 0x04), null, 0);
    assertSense(naca, Sense.INVALID_FIELD_IN_CDB);
    assertThat(naca.sense().senseKeySpecific()).isEqualTo(0xC00000 | 0x0A0000 | 5);
  }

  @Test
  void protectionInformationIsRefused() throws Exception {
    byte[] c = read10(0, 1);
    c[1] = (byte) 0x20;
    assertSense(bed.send(0, c, null, 512), Sense.INVALID_FIELD_IN_CDB);
  }

  @Test
  void aWriteAnnouncedShorterWritesOnlyTheWholeBlocksThatCame() throws Exception {
    byte[] data = pattern(700, 1);
    assertThat(bed.send(0, write10(0, 2), data, 0).good()).isTrue();
    byte[] medium = bed.handler.media.get("disk0");
    assertThat(Arrays.copyOfRange(medium, 0, 512)).isEqualTo(Arrays.copyOf(data, 512));
    assertThat(Arrays.copyOfRange(medium, 512, 1024)).containsOnly(0);
    assertThat(bed.send(0, write10(4, 1), new byte[100], 0).good()).isTrue();
  }

  @Test
  void backendFailuresBecomeMediumErrorsAtTheLba() throws Exception {
    bed.handler.failure = MemoryHandler.ioError();
    LocalResult read = bed.send(0, read10(9, 1), null, 512);
    assertSense(read, Sense.UNRECOVERED_READ_ERROR);
    assertThat(read.sense().information()).isEqualTo(9);
    LocalResult write = bed.send(0, write10(5, 1), new byte[512], 0);
    assertSense(write, Sense.WRITE_ERROR);
    assertThat(write.sense().information()).isEqualTo(5);
    Sense own = new Sense(SenseKey.HARDWARE_ERROR, 0x44, 0x71);
    bed.handler.failure = new SenseException(own);
    assertSense(bed.send(0, read10(0, 1), null, 512), own);
  }

  @Test
  void aMediumErrorNamesTheFirstBlockNotTransferredInBothSenseFormats() throws Exception {
    bed.handler.failAt = 13 * 512L + 100; // in block 13 of a transfer of blocks 10 to 17
    for (boolean descriptor : new boolean[] {false, true}) {
      byte[] control = bed.send(0, cdb(0x1A, 0x08, 0x0A, 0, 255, 0), null, 255).dataIn();
      control[0] = 0;
      control[4 + 2] = (byte) (descriptor ? control[4 + 2] | 0x04 : control[4 + 2] & ~0x04);
      assertThat(bed.send(0, cdb(0x15, 0x10, 0, 0, control.length, 0), control, 0).good())
          .isTrue();
      LocalResult read = bed.send(0, read10(10, 8), null, 4096);
      assertSense(read, Sense.UNRECOVERED_READ_ERROR);
      LocalResult write = bed.send(0, write10(10, 8), pattern(4096, 5), 0);
      assertSense(write, Sense.WRITE_ERROR);
      for (LocalResult r : new LocalResult[] {read, write}) {
        ByteBuffer b = ByteBuffer.wrap(r.sense().toBytes());
        if (descriptor) {
          assertThat(b.get(0)).isEqualTo((byte) 0x72);
          assertThat(b.get(8)).as("information descriptor").isZero();
          assertThat(b.get(10) & 0x80).as("VALID").isEqualTo(0x80);
          assertThat(b.getLong(12)).as("INFORMATION").isEqualTo(13);
        } else {
          assertThat(b.get(0) & 0xFF).as("VALID, fixed format").isEqualTo(0xF0);
          assertThat(b.getInt(3)).as("INFORMATION").isEqualTo(13);
        }
      }
    }
    byte[] medium = bed.handler.media.get("disk0");
    assertThat(Arrays.copyOfRange(medium, 10 * 512, 13 * 512 + 100))
        .as("what came before the failure was written")
        .isEqualTo(Arrays.copyOf(pattern(4096, 5), 3 * 512 + 100));
  }

  @Test
  void verifyComparesData() throws Exception {
    byte[] data = pattern(512, 3);
    bed.send(0, write10(100, 1), data, 0);
    byte[] verify = cdb(0x2F, 0x02, 0, 0, 0, 100, 0, 0, 1, 0);
    assertThat(bed.send(0, verify, data, 0).good()).isTrue();
    byte[] other = data.clone();
    other[17] ^= 1;
    LocalResult r = bed.send(0, verify, other, 0);
    assertSense(r, Sense.MISCOMPARE_DURING_VERIFY);
    assertThat(r.sense().information()).isEqualTo(17);
    assertThat(bed.send(0, cdb(0x2F, 0, 0, 0, 0, 100, 0, 0, 1, 0), null, 0).good()).isTrue();
  }

  @Test
  void synchronizeCache() throws Exception {
    assertThat(bed.send(0, cdb(0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0), null, 0).good()).isTrue();
    assertSense(bed.send(0, cdb(0x35, 0, 0, 0, 0x10, 0, 0, 0, 1, 0), null, 0),
        Sense.LBA_OUT_OF_RANGE);
  }

  @Test
  void writeSameFillsTheRangeWithOneBlock() throws Exception {
    byte[] block = pattern(512, 9);
    byte[] ws10 = cdb(0x41, 0, 0, 0, 0, 50, 0, 0, 30, 0);
    assertThat(bed.send(0, ws10, block, 0).good()).isTrue();
    byte[] medium = bed.handler.media.get("disk0");
    for (int b = 50; b < 80; b++) {
      assertThat(Arrays.copyOfRange(medium, b * 512, b * 512 + 512)).isEqualTo(block);
    }
    assertThat(medium[80 * 512]).isZero();

    byte[] ws16NoData = cdb(0x93, 0x01, 0, 0, 0, 0, 0, 0, 0, 60, 0, 0, 0, 5, 0, 0);
    assertThat(bed.send(0, ws16NoData, null, 0).good()).isTrue();
    assertThat(Arrays.copyOfRange(medium, 60 * 512, 65 * 512)).containsOnly(0);
    assertThat(medium[65 * 512]).isEqualTo(block[0]);
  }

  @Test
  void writeSameRefusesWhatItCannotDo() throws Exception {
    byte[] block = new byte[512];
    assertSense(bed.send(0, cdb(0x41, 0x08, 0, 0, 0, 0, 0, 0, 1, 0), block, 0),
        Sense.INVALID_FIELD_IN_CDB);
    assertSense(bed.send(0, cdb(0x41, 0, 0, 0, 0x07, 0xFF, 0, 0, 2, 0), block, 0),
        Sense.LBA_OUT_OF_RANGE);
    assertSense(bed.send(3, cdb(0x41, 0, 0, 0, 0, 0, 0, 0, 1, 0), new byte[4096], 0),
        Sense.WRITE_PROTECTED);
  }

  @Test
  void writeAndVerifyWritesAndChecks() throws Exception {
    byte[] data = pattern(1024, 5);
    for (byte[] c : new byte[][] {
        cdb(0x2E, 0x02, 0, 0, 0, 7, 0, 0, 2, 0),
        cdb(0xAE, 0x02, 0, 0, 0, 7, 0, 0, 0, 2, 0, 0),
        cdb(0x8E, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 2, 0, 0)}) {
      assertThat(bed.send(0, c, data, 0).good()).isTrue();
      assertThat(bed.send(0, read10(7, 2), null, 1024).dataIn()).isEqualTo(data);
      data = pattern(1024, data[0] + 1);
    }
  }

  @Test
  void verify12AndPrefetch() throws Exception {
    byte[] data = pattern(512, 4);
    bed.send(0, write10(12, 1), data, 0);
    assertThat(bed.send(0, cdb(0xAF, 0x02, 0, 0, 0, 12, 0, 0, 0, 1, 0, 0), data, 0).good())
        .isTrue();
    assertThat(bed.send(0, cdb(0x34, 0, 0, 0, 0, 12, 0, 0, 8, 0), null, 0).good()).isTrue();
    assertSense(bed.send(0, cdb(0x90, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 1, 0, 0), null, 0),
        Sense.LBA_OUT_OF_RANGE);
  }

  @Test
  void preFetchFillsTheBackendsCacheAndSaysSoWithConditionMet() throws Exception {
    byte[] ten = cdb(0x34, 0, 0, 0, 0, 12, 0, 0, 8, 0);
    assertThat(bed.send(0, ten, null, 0).status()).as("no cache to fill").isEqualTo(Status.GOOD);
    assertThat(bed.handler.prefetched).isEmpty();

    bed.handler.cacheBytes = 64 << 10;
    LocalResult met = bed.send(0, ten, null, 0);
    assertThat(met.status()).isEqualTo(Status.CONDITION_MET);
    assertThat(met.sense()).isNull();
    // PREFETCH LENGTH 0: to the end of the medium (2048 blocks).
    assertThat(bed.send(0, cdb(0x90, 0, 0, 0, 0, 0, 0, 0, 0x07, 0xF8, 0, 0, 0, 0, 0, 0), null,
        0).status()).isEqualTo(Status.CONDITION_MET);
    assertThat(bed.handler.prefetched).containsExactly(12 * 512 + "+" + 8 * 512,
        2040 * 512 + "+" + 8 * 512);
    assertThat(bed.send(0, cdb(0x34, 0, 0, 0, 0, 0, 0, 0, 200, 0), null, 0).status())
        .as("more than the cache holds: not brought in").isEqualTo(Status.GOOD);
    assertThat(bed.handler.prefetched).hasSize(2);

    bed.handler.failure = MemoryHandler.ioError();
    LocalResult failed = bed.send(0, ten, null, 0);
    assertSense(failed, Sense.UNRECOVERED_READ_ERROR);
    assertThat(failed.sense().information()).isEqualTo(12);
    assertThat(bed.send(0, cdb(0x34, 0x02, 0, 0, 0, 12, 0, 0, 8, 0), null, 0).status())
        .as("IMMED: answered once the CDB is checked").isEqualTo(Status.CONDITION_MET);
    assertSense(bed.send(0, cdb(0x34, 0x02, 0, 0, 0x08, 0, 0, 0, 8, 0), null, 0),
        Sense.LBA_OUT_OF_RANGE);
  }

  private static byte[] compareAndWrite(long lba, int blocks) {
    return cdb(0x89, 0, 0, 0, 0, 0, 0, 0, 0, (int) lba, 0, 0, 0, blocks, 0, 0);
  }

  @Test
  void compareAndWriteWritesOnlyWhenTheMediumMatches() throws Exception {
    byte[] old = pattern(512, 1);
    byte[] fresh = pattern(512, 2);
    bed.send(0, write10(30, 1), old, 0);
    byte[] both = new byte[1024];
    System.arraycopy(old, 0, both, 0, 512);
    System.arraycopy(fresh, 0, both, 512, 512);
    assertThat(bed.send(0, compareAndWrite(30, 1), both, 0).good()).isTrue();
    assertThat(bed.send(0, read10(30, 1), null, 512).dataIn()).isEqualTo(fresh);

    byte[] stale = both.clone();
    System.arraycopy(fresh, 0, stale, 0, 512);
    stale[100] ^= 1;
    LocalResult r = bed.send(0, compareAndWrite(30, 1), stale, 0);
    assertSense(r, Sense.MISCOMPARE_DURING_VERIFY);
    assertThat(r.sense().information()).isEqualTo(100);
    assertThat(bed.send(0, read10(30, 1), null, 512).dataIn()).isEqualTo(fresh);

    assertSense(bed.send(0, compareAndWrite(30, 1), new byte[512], 0),
        Sense.INVALID_FIELD_IN_CDB);
    assertThat(bed.send(0, compareAndWrite(30, 0), null, 0).good()).isTrue();
    assertSense(bed.send(0, compareAndWrite(30, 0), new byte[1024], 0),
        Sense.INVALID_FIELD_IN_CDB);
    bed.handler.failure = MemoryHandler.ioError();
    assertSense(bed.send(0, compareAndWrite(30, 1), both, 0), Sense.UNRECOVERED_READ_ERROR);
    bed.handler.failure = null;
    assertThat(bed.send(0, compareAndWrite(30, 1), new byte[] {}, 0).status()).isNotNull();
    System.arraycopy(fresh, 0, both, 0, 512);
    assertThat(bed.send(0, compareAndWrite(30, 1), both, 0).good())
        .as("the failed read released the range").isTrue();
  }

  @Test
  void orWriteOrsTheDataIntoTheMedium() throws Exception {
    byte[] base = new byte[512];
    Arrays.fill(base, (byte) 0x0F);
    bed.send(0, write10(20, 1), base, 0);
    byte[] mask = new byte[512];
    Arrays.fill(mask, (byte) 0x30);
    byte[] orwrite = cdb(0x8B, 0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0);
    assertThat(bed.send(0, orwrite, mask, 0).good()).isTrue();
    assertThat(bed.send(0, read10(20, 1), null, 512).dataIn()).containsOnly(0x3F);
    byte[] bitmap = orwrite.clone();
    bitmap[14] = 1;
    assertSense(bed.send(0, bitmap, mask, 0), Sense.INVALID_FIELD_IN_CDB);
  }

  @Test
  void lbaStatusAndDefectData() throws Exception {
    byte[] status = cdb(0x9E, 0x12, 0, 0, 0, 0, 0, 0, 0x07, 0xF0, 0, 0, 0, 64, 0, 0);
    ByteBuffer b = ByteBuffer.wrap(bed.send(0, status, null, 64).dataIn());
    assertThat(b.getInt(0)).isEqualTo(20);
    assertThat(b.getLong(8)).isEqualTo(0x7F0);
    assertThat(b.getInt(16)).isEqualTo(2048 - 0x7F0);
    assertThat(b.get(20)).isZero();
    status[8] = 0x08;
    status[9] = 0;
    assertSense(bed.send(0, status, null, 64), Sense.LBA_OUT_OF_RANGE);
    status[2] = (byte) 0x80;
    assertSense(bed.send(0, status, null, 64), Sense.LBA_OUT_OF_RANGE);
    byte[] defects = bed.send(0, cdb(0x37, 0, 0x1D, 0, 0, 0, 0, 0, 4, 0), null, 4).dataIn();
    assertThat(defects).containsExactly(0, 0x1D, 0, 0);
  }

  @Test
  void noWriteComesBetweenTheCompareAndTheWriteOfCompareAndWrite() throws Exception {
    byte[] old = pattern(512, 1);
    bed.send(0, write10(40, 1), old, 0);
    byte[] both = new byte[1024];
    System.arraycopy(old, 0, both, 0, 512);
    System.arraycopy(pattern(512, 2), 0, both, 512, 512);
    byte[] plain = pattern(1024, 3);
    bed.handler.park = true;
    var caw = bed.session.execute(0, compareAndWrite(40, 1), both, 0).toCompletableFuture();
    assertThat(bed.handler.parked).as("the compare's read").hasSize(1);
    var write = bed.session.execute(0, write10(39, 2), plain, 0).toCompletableFuture();
    var elsewhere = bed.session.execute(0, write10(41, 1), plain, 0).toCompletableFuture();
    assertThat(elsewhere).as("a write beside the range runs").isDone();
    assertThat(write).as("an overlapping write waits").isNotDone();
    bed.handler.park = false;
    bed.handler.parked.remove(0).run();
    assertThat(caw.get(10, java.util.concurrent.TimeUnit.SECONDS).good()).isTrue();
    assertThat(write.get(10, java.util.concurrent.TimeUnit.SECONDS).good()).isTrue();
    assertThat(bed.send(0, read10(39, 2), null, 1024).dataIn()).isEqualTo(plain);
  }

  @Test
  void compareAndWriteWaitsForTheReadsAndWritesInFlightOnItsRange() throws Exception {
    byte[] old = pattern(512, 1);
    bed.send(0, write10(50, 1), old, 0);
    byte[] both = new byte[1024];
    System.arraycopy(old, 0, both, 0, 512);
    bed.handler.park = true;
    var read = bed.session.execute(0, read10(50, 1), null, 512).toCompletableFuture();
    var caw = bed.session.execute(0, compareAndWrite(50, 1), both, 0).toCompletableFuture();
    assertThat(bed.handler.parked).as("the compare has not read yet").hasSize(1);
    bed.handler.parked.remove(0).run();
    assertThat(read.get(10, java.util.concurrent.TimeUnit.SECONDS).dataIn()).isEqualTo(old);
    assertThat(bed.handler.parked).as("now the compare reads").hasSize(1);
    bed.handler.park = false;
    bed.handler.parked.remove(0).run();
    assertThat(caw.get(10, java.util.concurrent.TimeUnit.SECONDS).good()).isTrue();
    assertThat(bed.send(0, read10(50, 1), null, 512).dataIn()).isEqualTo(new byte[512]);
  }

  private static byte[] writeAtomic(long lba, int blocks) {
    return cdb(0x9C, 0, 0, 0, 0, 0, 0, 0, (int) lba >> 8, (int) lba, 0, 0, blocks >> 8, blocks, 0, 0);
  }

  @Test
  void writeAtomicWritesWithinItsLimits() throws Exception {
    byte[] data = pattern(1024, 9);
    assertThat(bed.send(0, writeAtomic(60, 2), data, 0).good()).isTrue();
    assertThat(bed.send(0, read10(60, 2), null, 1024).dataIn()).isEqualTo(data);
    byte[] limits = bed.send(0, cdb(0x12, 1, 0xB0, 0, 64, 0), null, 64).dataIn();
    ByteBuffer b = ByteBuffer.wrap(limits);
    assertThat(b.getInt(44)).as("maximum atomic transfer length").isEqualTo(2048);
    assertThat(b.getInt(48)).as("no alignment").isZero();
    assertThat(b.getInt(52)).as("no granularity").isZero();
    assertThat(b.getInt(44)).isLessThanOrEqualTo(b.getInt(8));

    try (TestBed larger = new TestBed(Files.createDirectory(dir.resolve("larger")),
        TestBed.CONFIG.replace("size 1M", "size 2M"))) {
      LocalResult tooLong = larger.send(0, writeAtomic(0, 2049), new byte[2049 * 512], 0);
      assertSense(tooLong, Sense.INVALID_FIELD_IN_CDB);
      assertThat(tooLong.sense().senseKeySpecific() & 0xFFFF).isEqualTo(12);
    }
    assertSense(bed.send(0, writeAtomic(2047, 2), data, 0), Sense.LBA_OUT_OF_RANGE);
    assertThat(bed.send(0, writeAtomic(2048, 0), null, 0).good()).isTrue();
    assertSense(bed.send(0, writeAtomic(2049, 0), null, 0), Sense.LBA_OUT_OF_RANGE);
    byte[] protect = writeAtomic(60, 2);
    protect[1] = 0x20;
    assertSense(bed.send(0, protect, data, 0), Sense.INVALID_FIELD_IN_CDB);
    byte[] boundary = writeAtomic(60, 2);
    boundary[11] = 1;
    assertSense(bed.send(0, boundary, data, 0), Sense.INVALID_FIELD_IN_CDB);
    assertSense(bed.send(3, writeAtomic(0, 1), new byte[4096], 0), Sense.WRITE_PROTECTED);
  }

  @Test
  void writeAtomicWaitsForOverlappingReadsAndHoldsBackNewOnes() throws Exception {
    byte[] old = pattern(1024, 1);
    byte[] fresh = pattern(1024, 2);
    bed.send(0, write10(70, 2), old, 0);
    bed.handler.park = true;
    var read = bed.session.execute(0, read10(71, 1), null, 512).toCompletableFuture();
    var atomic = bed.session.execute(0, writeAtomic(70, 2), fresh, 0).toCompletableFuture();
    assertThat(atomic).as("the read in flight holds it").isNotDone();
    assertThat(Arrays.copyOfRange(bed.handler.media.get("disk0"), 70 * 512, 72 * 512))
        .isEqualTo(old);
    bed.handler.park = false;
    bed.handler.parked.remove(0).run();
    assertThat(read.get(10, java.util.concurrent.TimeUnit.SECONDS).dataIn())
        .isEqualTo(Arrays.copyOfRange(old, 512, 1024));
    assertThat(atomic.get(10, java.util.concurrent.TimeUnit.SECONDS).good()).isTrue();
    assertThat(bed.send(0, read10(70, 2), null, 1024).dataIn()).isEqualTo(fresh);
  }
}
