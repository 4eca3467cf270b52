package io.karst.vcdrom.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.karst.api.device.DeviceException;
import io.karst.api.scsi.Sense;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ReadTest extends DriveTest {

  private static byte[] read10(long lba, int blocks) {
    return ByteBuffer.allocate(10).put((byte) 0x28).put((byte) 0).putInt((int) lba)
        .put((byte) 0).putShort((short) blocks).put((byte) 0).array();
  }

  private static byte[] read12(long lba, long blocks) {
    return ByteBuffer.allocate(12).put((byte) 0xA8).put((byte) 0).putInt((int) lba)
        .putInt((int) blocks).put((byte) 0).put((byte) 0).array();
  }

  private byte[] sectors(int from, int count) throws Exception {
    byte[] all = Files.readAllBytes(image);
    return Arrays.copyOfRange(all, from * Disc.BLOCK_SIZE, (from + count) * Disc.BLOCK_SIZE);
  }

  @Test
  void readCapacityReportsTheLastSectorOf2048Bytes() throws Exception {
    byte[] d = good(exec(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0)).data();
    assertThat(u32(d, 0)).isEqualTo(SECTORS - 1);
    assertThat(u32(d, 4)).isEqualTo(2048);
    assertSense(exec(0x25, 0, 0, 0, 0, 1, 0, 0, 0, 0), Sense.INVALID_FIELD_IN_CDB);
  }

  @Test
  void readsReturnTheImageBytes() throws Exception {
    assertThat(good(exec(read10(0, 1), null)).data()).isEqualTo(sectors(0, 1));
    assertThat(good(exec(read10(17, 40), null)).data()).isEqualTo(sectors(17, 40));
    assertThat(good(exec(read12(SECTORS - 3, 3), null)).data())
        .isEqualTo(sectors(SECTORS - 3, 3));
    assertThat(good(exec(read10(5, 0), null)).data()).as("zero sectors: no data").isEmpty();
  }

  @Test
  void readsBeyondTheDiscOrTooLongOrWithRelAdrAreRefused() throws Exception {
    assertSense(exec(read10(SECTORS - 1, 2), null), Sense.LBA_OUT_OF_RANGE);
    assertSense(exec(read12(SECTORS, 1), null), Sense.LBA_OUT_OF_RANGE);
    assertSense(exec(read12(0xFFFFFFFFL, 2), null), Sense.LBA_OUT_OF_RANGE);
    byte[] relAdr = read10(0, 1);
    relAdr[1] = 1;
    FakeTask t = exec(relAdr, null);
    assertSense(t, Sense.INVALID_FIELD_IN_CDB);
    assertThat(t.sense().senseKeySpecific()).isEqualTo(0xC80001);
  }

  @Test
  void anIoErrorIsAMediumErrorAtTheSector() throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      f.setLength(100L * Disc.BLOCK_SIZE + 100); // the image shrinks under the drive
    }
    good(exec(read10(99, 1), null));
    FakeTask t = exec(read10(98, 4), null);
    assertSense(t, Sense.UNRECOVERED_READ_ERROR);
    assertThat(t.sense().hasInformation()).isTrue();
    assertThat(t.sense().information()).isEqualTo(100);
  }

  @Test
  void writesAreRefusedAsTheDiscIsReadOnly() throws Exception {
    assertSense(exec(0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0), Sense.WRITE_PROTECTED);
    assertSense(exec(0xAA, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0), Sense.WRITE_PROTECTED);
    assertSense(exec(0x2E, 0, 0, 0, 0, 0, 0, 0, 1, 0), Sense.WRITE_PROTECTED);
    assertThat(drive.dataOutLength(new FakeTask(cdb(0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0),
        new byte[2048]))).as("refused before any Data-Out").isZero();
    assertSense(exec(0x04, 0, 0, 0, 0, 0), Sense.INVALID_COMMAND_OPERATION_CODE);
    assertSense(exec(0xA1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), Sense.INVALID_COMMAND_OPERATION_CODE);
    good(exec(0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    assertSense(exec(0xA3, 0x0C, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), Sense.INVALID_FIELD_IN_CDB);
  }

  @Test
  void aMissingOrUnusableImageIsNamedAtCreation() throws Exception {
    VcdromHandler h = new VcdromHandler();
    assertThatThrownBy(() -> h.open(new FakeConfig(dir, "nowhere.iso")))
        .isInstanceOf(DeviceException.class).hasMessageContaining("nowhere.iso")
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> h.open(new FakeConfig(dir, dir.toString())))
        .isInstanceOf(DeviceException.class).hasMessageContaining("is a directory");
    assertThatThrownBy(() -> h.open(new FakeConfig(dir, "/dev/null")))
        .isInstanceOf(DeviceException.class).hasMessageContaining("not a regular file");
    Files.write(dir.resolve("short.iso"), new byte[2047]);
    assertThatThrownBy(() -> h.open(new FakeConfig(dir, "short.iso")))
        .isInstanceOf(DeviceException.class).hasMessageContaining("short.iso")
        .hasMessageContaining("no whole 2048-byte sector");
    assertThat(h.name()).isEqualTo("vcdrom");
    assertThat(VcdromHandler.FILENAME.writable()).isTrue();
  }
}
