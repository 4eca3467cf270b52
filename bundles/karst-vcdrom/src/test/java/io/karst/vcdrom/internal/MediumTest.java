package io.karst.vcdrom.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.karst.api.device.DeviceException;
import io.karst.api.scsi.Sense;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Discs coming and going: START STOP UNIT, the filename attribute, events and states. */
class MediumTest extends DriveTest {

  private static final int[] TUR = {0, 0, 0, 0, 0, 0};
  private static final int[] EJECT = {0x1B, 0, 0, 0, 0x02, 0};
  private static final int[] LOAD = {0x1B, 0, 0, 0, 0x03, 0};

  /** GET EVENT STATUS NOTIFICATION, polled, media class: event code and media status. */
  private int[] mediaEvent() throws Exception {
    byte[] d = good(exec(0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8, 0)).data();
    assertThat(d).hasSize(8);
    assertThat(u16(d, 0)).isEqualTo(6);
    assertThat(d[2]).as("media class").isEqualTo((byte) 4);
    assertThat(d[3]).as("supported: media").isEqualTo((byte) 0x10);
    return new int[] {d[4] & 0x0F, d[5] & 0x03};
  }

  private int currentProfile() throws Exception {
    return u16(good(exec(0x46, 0, 0, 0, 0, 0, 0, 0, 8, 0)).data(), 6);
  }

  @Test
  void anEmptyDriveIsNotReadyButAnswersWhatNeedsNoDisc() throws Exception {
    drive.set("filename", "");
    assertSense(exec(TUR), Sense.MEDIUM_NOT_PRESENT);
    assertSense(exec(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0), Sense.MEDIUM_NOT_PRESENT);
    assertSense(exec(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0), Sense.MEDIUM_NOT_PRESENT);
    assertSense(exec(0x43, 0, 0, 0, 0, 0, 0, 0, 20, 0), Sense.MEDIUM_NOT_PRESENT);
    assertSense(exec(0x51, 0, 0, 0, 0, 0, 0, 0, 34, 0), Sense.MEDIUM_NOT_PRESENT);
    assertThat(mediaEvent()).as("removal, nothing present").containsExactly(3, 0);
    assertThat(mediaEvent()).as("reported once").containsExactly(0, 0);
    assertThat(currentProfile()).isZero();
    good(exec(0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 64, 0));
    good(exec(0xBD, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0));
    assertThat(config.unitAttentions).as("taking a disc out is no unit attention").isEmpty();
  }

  @Test
  void anEmptyDriveMayBeCreatedAndLoadedLater() throws Exception {
    drive.close();
    drive = (CdromBackend) new VcdromHandler().open(new FakeConfig(dir, ""));
    assertSense(exec(TUR), Sense.MEDIUM_NOT_PRESENT);
  }

  @Test
  void settingTheFilenameChangesTheDiscWithAUnitAttentionAndAnEvent() throws Exception {
    assertThat(mediaEvent()).containsExactly(0, 2);
    image(dir.resolve("other.iso"), 500, 9);
    drive.set("filename", dir.resolve("other.iso").toString());
    assertThat(config.unitAttentions).containsExactly("28/00");
    assertThat(mediaEvent()).as("new media, present").containsExactly(2, 2);
    assertThat(u32(good(exec(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0)).data(), 0)).isEqualTo(499);
    byte[] sector = good(exec(0x28, 0, 0, 0, 0x01, 0xF3, 0, 0, 1, 0)).data();
    byte[] expected = Arrays.copyOfRange(Files.readAllBytes(dir.resolve("other.iso")),
        499 * 2048, 500 * 2048);
    assertThat(sector).isEqualTo(expected);
    drive.set("filename", "disc.iso");
    assertThat(config.unitAttentions).as("relative to the data directory")
        .containsExactly("28/00", "28/00");
  }

  @Test
  void aChangeThatCannotBeMadeLeavesTheDiscInPlace() throws Exception {
    assertThatThrownBy(() -> drive.set("filename", "missing.iso"))
        .isInstanceOf(DeviceException.class).hasMessageContaining("missing.iso");
    config.prevented = true;
    image(dir.resolve("other.iso"), 10, 2);
    assertThatThrownBy(() -> drive.set("filename", "other.iso"))
        .isInstanceOf(DeviceException.class).hasMessageContaining("prevents its removal");
    assertThatThrownBy(() -> drive.set("filename", ""))
        .isInstanceOf(DeviceException.class);
    assertThatThrownBy(() -> drive.set("size", "1"))
        .isInstanceOf(DeviceException.class).hasMessageContaining("size");
    assertThat(u32(good(exec(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0)).data(), 0))
        .isEqualTo(SECTORS - 1);
    assertThat(config.unitAttentions).isEmpty();
  }

  @Test
  void ejectOpensTheTrayAndLoadBringsTheDiscBack() throws Exception {
    good(exec(EJECT));
    assertSense(exec(TUR), Medium.TRAY_OPEN);
    assertThat(mediaEvent()).as("removal, tray open").containsExactly(3, 1);
    assertThat(good(exec(0xBD, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0)).data()[1])
        .as("door open").isEqualTo((byte) 0x10);
    good(exec(EJECT));
    assertThat(currentProfile()).isZero();
    good(exec(LOAD));
    good(exec(TUR));
    assertThat(config.unitAttentions).containsExactly("28/00");
    assertThat(mediaEvent()).containsExactly(2, 2);
    assertThat(currentProfile()).isEqualTo(Features.PROFILE_CD_ROM);
    good(exec(LOAD));
    assertThat(config.unitAttentions).as("a closed tray stays as it is").hasSize(1);
  }

  @Test
  void ejectIsRefusedWhileANexusPreventsRemoval() throws Exception {
    config.prevented = true;
    assertSense(exec(EJECT), Sense.MEDIUM_REMOVAL_PREVENTED);
    good(exec(TUR));
    good(exec(0x1B, 0, 0, 0, 0x01, 0));
    good(exec(0x1B, 1, 0, 0, 0x00, 0));
    config.prevented = false;
    good(exec(EJECT));
    config.prevented = true;
    good(exec(LOAD));
    assertSense(exec(0x1B, 0, 0, 0, 0x10, 0), Sense.INVALID_FIELD_IN_CDB);
  }

  @Test
  void eventsOfAnotherClassOrAsynchronousOnesAreNotOffered() throws Exception {
    byte[] d = good(exec(0x4A, 1, 0, 0, 0x02, 0, 0, 0, 8, 0)).data();
    assertThat(d).containsExactly(0, 2, 0x80, 0x10);
    assertSense(exec(0x4A, 0, 0, 0, 0x10, 0, 0, 0, 8, 0), Sense.INVALID_FIELD_IN_CDB);
    drive.set("filename", "");
    good(exec(0x4A, 1, 0, 0, 0x10, 0, 0, 0, 4, 0));
    assertThat(mediaEvent()).as("an event that did not fit is kept").containsExactly(3, 0);
  }

  @Test
  void aLargeImageIsADvd() throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("dvd.iso").toFile(), "rw")) {
      f.setLength((Disc.CD_MAX_BLOCKS + 1) * Disc.BLOCK_SIZE);
    }
    drive.set("filename", "dvd.iso");
    assertThat(currentProfile()).isEqualTo(Features.PROFILE_DVD_ROM);
  }
}
