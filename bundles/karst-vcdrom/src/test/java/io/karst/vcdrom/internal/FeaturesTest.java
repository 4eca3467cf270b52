package io.karst.vcdrom.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.scsi.Sense;
import java.io.RandomAccessFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeaturesTest extends DriveTest {

  /** The feature descriptors of a GET CONFIGURATION answer, by code, header checked. */
  private static Map<Integer, byte[]> features(byte[] d) {
    assertThat(u32(d, 0)).as("data length").isEqualTo(d.length - 4);
    Map<Integer, byte[]> out = new LinkedHashMap<>();
    for (int at = 8; at < d.length; at += 4 + (d[at + 3] & 0xFF)) {
      byte[] f = new byte[4 + (d[at + 3] & 0xFF)];
      System.arraycopy(d, at, f, 0, f.length);
      out.put(u16(d, at), f);
    }
    return out;
  }

  private FakeTask configuration(int rt, int starting) throws Exception {
    return exec(0x46, rt, starting >> 8, starting, 0, 0, 0, 0x04, 0, 0);
  }

  @Test
  void allFeaturesWithTheCdRomProfileCurrent() throws Exception {
    byte[] d = good(configuration(0, 0)).data();
    assertThat(u16(d, 6)).isEqualTo(Features.PROFILE_CD_ROM);
    Map<Integer, byte[]> f = features(d);
    assertThat(f.keySet()).containsExactly(0x0000, 0x0001, 0x0002, 0x0003, 0x0010, 0x001E,
        0x001F);
    byte[] profiles = f.get(0x0000);
    assertThat(profiles[2]).as("persistent, current").isEqualTo((byte) 0x03);
    assertThat(u16(profiles, 4)).isEqualTo(Features.PROFILE_DVD_ROM);
    assertThat(profiles[6]).as("DVD-ROM not current").isZero();
    assertThat(u16(profiles, 8)).isEqualTo(Features.PROFILE_CD_ROM);
    assertThat(profiles[10]).as("CD-ROM current").isEqualTo((byte) 1);
    assertThat(u32(f.get(0x0001), 4)).as("SCSI family").isEqualTo(1);
    assertThat(f.get(0x0003)[4]).as("tray, eject, lock").isEqualTo((byte) 0x29);
    assertThat(u32(f.get(0x0010), 4)).isEqualTo(2048);
    assertThat(u16(f.get(0x0010), 8)).as("blocking").isEqualTo(1);
    assertThat(f.get(0x0010)[10]).as("PP: page 01h").isEqualTo((byte) 1);
    assertThat(f.get(0x001E)[2] & 0x01).as("CD Read current").isEqualTo(1);
    assertThat(f.get(0x001F)[2] & 0x01).as("DVD Read not current").isZero();
  }

  @Test
  void requestTypesSelectFeatures() throws Exception {
    List<Integer> current = new ArrayList<>(features(good(configuration(1, 0)).data()).keySet());
    assertThat(current).containsExactly(0x0000, 0x0001, 0x0002, 0x0003, 0x0010, 0x001E);
    assertThat(features(good(configuration(0, 0x0010)).data()).keySet())
        .containsExactly(0x0010, 0x001E, 0x001F);
    assertThat(features(good(configuration(2, 0x0003)).data()).keySet())
        .containsExactly(0x0003);
    byte[] none = good(configuration(2, 0x0020)).data();
    assertThat(none).as("header only").hasSize(8);
    assertSense(configuration(3, 0), Sense.INVALID_FIELD_IN_CDB);
  }

  @Test
  void withoutADiscOnlyThePersistentFeaturesAreCurrent() throws Exception {
    drive.set("filename", "");
    byte[] d = good(configuration(1, 0)).data();
    assertThat(u16(d, 6)).as("no current profile").isZero();
    assertThat(features(d).keySet()).containsExactly(0x0000, 0x0001, 0x0002, 0x0003);
  }

  @Test
  void theAllocationLengthCuts() throws Exception {
    assertThat(good(exec(0x46, 0, 0, 0, 0, 0, 0, 0, 8, 0)).data()).hasSize(8);
  }

  @Test
  void aDvdHasDiscStructuresAndACdNone() throws Exception {
    assertSense(exec(0xAD, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x04, 0, 0),
        DiscStructure.INCOMPATIBLE_FORMAT);
    try (RandomAccessFile f =
        new RandomAccessFile(dir.resolve("dvd.iso").toFile(), "rw")) {
      f.setLength((Disc.CD_MAX_BLOCKS + 16) * Disc.BLOCK_SIZE);
    }
    drive.set("filename", "dvd.iso");
    byte[] physical = good(exec(0xAD, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x04, 0, 0)).data();
    assertThat(physical).hasSize(2052);
    assertThat(u16(physical, 0)).isEqualTo(2050);
    assertThat(physical[4]).as("DVD-ROM, part version 1").isEqualTo((byte) 0x01);
    assertThat(u32(physical, 8)).isEqualTo(0x030000);
    assertThat(u32(physical, 12)).isEqualTo(0x030000 + Disc.CD_MAX_BLOCKS + 15);
    assertThat(good(exec(0xAD, 0, 0, 0, 0, 0, 0, 1, 0, 8, 0, 0)).data())
        .containsExactly(0, 6, 0, 0, 0, 0, 0, 0);
    byte[] list = good(exec(0xAD, 0, 0, 0, 0, 0, 0, 0xFF, 0, 64, 0, 0)).data();
    assertThat(list).hasSize(16);
    assertThat(list[4 + 8] & 0xFF).isEqualTo(0xFF);
    assertSense(exec(0xAD, 0, 0, 0, 0, 0, 1, 0, 0, 8, 0, 0), Sense.INVALID_FIELD_IN_CDB);
    assertSense(exec(0xAD, 1, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0), Sense.INVALID_FIELD_IN_CDB);
    assertSense(exec(0xAD, 0, 0, 0, 0, 0, 0, 0x04, 0, 8, 0, 0), Sense.INVALID_FIELD_IN_CDB);
  }

  @Test
  void mechanismStatusHasNoChangerAndAnIdleMechanism() throws Exception {
    assertThat(good(exec(0xBD, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0)).data())
        .containsExactly(0, 0, 0, 0, 0, 0, 0, 0);
    good(exec(0xBB, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0));
  }
}
