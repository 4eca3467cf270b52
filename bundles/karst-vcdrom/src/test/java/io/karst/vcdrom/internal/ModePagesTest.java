package io.karst.vcdrom.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.scsi.Sense;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ModePagesTest extends DriveTest {

  private FakeTask sense10(int pc, int page, int subpage) throws Exception {
    return exec(0x5A, 0x08, pc << 6 | page, subpage, 0, 0, 0, 1, 0, 0);
  }

  @Test
  void theCapabilitiesPageTellsAReadOnlyDriveWithATrayThatLocks() throws Exception {
    byte[] d = good(sense10(0, 0x2A, 0)).data();
    assertThat(u16(d, 0)).isEqualTo(d.length - 2);
    assertThat(u16(d, 6)).as("no block descriptor").isZero();
    byte[] p = Arrays.copyOfRange(d, 8, d.length);
    assertThat(p[0]).isEqualTo((byte) 0x2A);
    assertThat(p[1]).isEqualTo((byte) 20);
    assertThat(p[2]).as("DVD-ROM read").isEqualTo((byte) 0x08);
    assertThat(p[3]).as("no writing").isZero();
    assertThat(p[6]).as("tray, eject, lock, not locked").isEqualTo((byte) 0x29);
    assertThat(u16(p, 8)).isEqualTo(48 * 176);
    config.prevented = true;
    assertThat(good(sense10(0, 0x2A, 0)).data()[8 + 6]).as("locked")
        .isEqualTo((byte) 0x2B);
    assertThat(good(sense10(2, 0x2A, 0)).data()[8 + 6]).as("default: not locked")
        .isEqualTo((byte) 0x29);
  }

  @Test
  void modeSense6WithAllPagesAndNothingChangeable() throws Exception {
    byte[] d = good(exec(0x1A, 0, 0x3F, 0, 255, 0)).data();
    assertThat(d[0] & 0xFF).isEqualTo(d.length - 1);
    assertThat(d[3]).isZero();
    assertThat(d[4]).isEqualTo((byte) 0x01);
    assertThat(d[4 + 12]).isEqualTo((byte) 0x2A);
    assertThat(d).hasSize(4 + 12 + 22);
    byte[] changeable = good(exec(0x1A, 0, 0x40 | 0x3F, 0, 255, 0)).data();
    for (int at : new int[] {4, 16}) {
      int length = changeable[at + 1];
      assertThat(Arrays.copyOfRange(changeable, at + 2, at + 2 + length)).containsOnly(0);
    }
    assertThat(good(exec(0x1A, 0, 0x3F, 0xFF, 255, 0)).data()).hasSize(d.length);
  }

  @Test
  void unknownPagesSubpagesAndSavedValuesAreRefused() throws Exception {
    assertSense(sense10(0, 0x08, 0), Sense.INVALID_FIELD_IN_CDB);
    assertSense(sense10(0, 0x2A, 1), Sense.INVALID_FIELD_IN_CDB);
    assertSense(sense10(3, 0x2A, 0), Sense.SAVING_PARAMETERS_NOT_SUPPORTED);
  }

  @Test
  void modeSelectTakesThePagesOnlyAsTheyAre() throws Exception {
    byte[] sensed = good(sense10(0, 0x3F, 0)).data();
    byte[] list = sensed.clone();
    list[0] = 0;
    list[1] = 0; // the mode data length is reserved in MODE SELECT
    byte[] select = cdb(0x55, 0x10, 0, 0, 0, 0, 0, 0, list.length, 0);
    assertThat(drive.dataOutLength(new FakeTask(select, list))).isEqualTo(list.length);
    good(exec(select, list));
    byte[] changed = list.clone();
    changed[8 + 12 + 2] = 0x3F; // claim to write CDs
    FakeTask t = exec(select, changed);
    assertSense(t, Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    assertThat(t.sense().senseKeySpecific()).isEqualTo(0x800000 | (8 + 12 + 2));
    config.prevented = true;
    good(exec(select, list)); // the lock state is reported, not selected
    assertSense(exec(cdb(0x55, 0x11, 0, 0, 0, 0, 0, 0, list.length, 0), list),
        Sense.INVALID_FIELD_IN_CDB);
    good(exec(cdb(0x15, 0x10, 0, 0, 0, 0), new byte[0]));
    assertSense(exec(cdb(0x15, 0x10, 0, 0, 2, 0), new byte[2]),
        Sense.PARAMETER_LIST_LENGTH_ERROR);
    byte[] unknown = {0, 0, 0, 0, 0x08, 2, 0, 0};
    assertSense(exec(cdb(0x15, 0x10, 0, 0, unknown.length, 0), unknown),
        Sense.INVALID_FIELD_IN_PARAMETER_LIST);
  }
}
