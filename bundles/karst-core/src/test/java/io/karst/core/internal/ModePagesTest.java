package io.karst.core.internal;

import static io.karst.core.internal.TestBed.assertSense;
import static io.karst.core.internal.TestBed.cdb;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.local.LocalResult;
import io.karst.api.scsi.Sense;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ModePagesTest extends BedTest {

  /** MODE SENSE(6) of one page, with or without the block descriptor. */
  private byte[] sense6(int page, boolean dbd) throws Exception {
    LocalResult r = bed.send(0, cdb(0x1A, dbd ? 0x08 : 0, page, 0, 255, 0), null, 255);
    assertThat(r.good()).isTrue();
    return r.dataIn();
  }

  private static byte[] select6(int length) {
    return cdb(0x15, 0x10, 0, 0, length, 0);
  }

  @Test
  void modeSelectTakesBackWhatModeSenseGave() throws Exception {
    byte[] all = sense6(0x3F, false);
    all[0] = 0; // MODE DATA LENGTH is reserved in MODE SELECT
    assertThat(bed.send(0, select6(all.length), all, 0).good()).isTrue();

    byte[] ten = bed.send(0, cdb(0x5A, 0x10, 0x08, 0, 0, 0, 0, 0, 255, 0), null, 255).dataIn();
    ten[0] = 0;
    ten[1] = 0;
    assertThat(bed.send(0, cdb(0x55, 0x10, 0, 0, 0, 0, 0, 0, ten.length, 0), ten, 0).good())
        .isTrue();
    assertThat(bed.send(0, select6(0), null, 0).good()).isTrue();
  }

  @Test
  void modeSelectRefusesChangesWithAPointerIntoTheParameterList() throws Exception {
    byte[] caching = sense6(0x08, true);
    caching[0] = 0;
    byte[] noCache = caching.clone();
    noCache[4 + 2] &= ~0x04; // WCE off
    LocalResult r = bed.send(0, select6(noCache.length), noCache, 0);
    assertSense(r, Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    assertThat(r.sense().senseKeySpecific()).isEqualTo(0x800000 | 6);

    byte[] withDescriptor = sense6(0x08, false);
    withDescriptor[0] = 0;
    withDescriptor[4 + 6] = 0x10; // block length 4096 instead of 512
    r = bed.send(0, select6(withDescriptor.length), withDescriptor, 0);
    assertSense(r, Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    assertThat(r.sense().senseKeySpecific() & 0xFFFF).isEqualTo(9);

    byte[] unknown = Arrays.copyOf(caching, caching.length);
    unknown[4] = 0x19;
    r = bed.send(0, select6(unknown.length), unknown, 0);
    assertSense(r, Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    assertThat(r.sense().senseKeySpecific() & 0xFFFF).isEqualTo(4);
  }

  @Test
  void modeSelectRefusesSavingAndShortLists() throws Exception {
    byte[] caching = sense6(0x08, true);
    caching[0] = 0;
    LocalResult save = bed.send(0, cdb(0x15, 0x11, 0, 0, caching.length, 0), caching, 0);
    assertSense(save, Sense.INVALID_FIELD_IN_CDB);
    assertThat(save.sense().senseKeySpecific()).isEqualTo(0xC80001);
    assertSense(bed.send(0, select6(2), new byte[2], 0), Sense.PARAMETER_LIST_LENGTH_ERROR);
    byte[] cut = Arrays.copyOf(caching, 10);
    assertSense(bed.send(0, select6(cut.length), cut, 0), Sense.PARAMETER_LIST_LENGTH_ERROR);
  }

  @Test
  void modeSenseChangeableValuesAreOnlySwp() throws Exception {
    byte[] changeable = bed.send(0, cdb(0x1A, 0x08, 0x48, 0, 255, 0), null, 255).dataIn();
    assertThat(changeable[4]).isEqualTo((byte) 0x08);
    assertThat(Arrays.copyOfRange(changeable, 6, changeable.length)).containsOnly(0);
    byte[] ten = bed.send(0, cdb(0x5A, 0x08, 0x3F, 0xFF, 0, 0, 0, 0, 255, 0), null, 255)
        .dataIn();
    assertThat(ten[7]).isEqualTo((byte) 0);
    assertThat(ten[8]).isEqualTo((byte) 0x01);
    assertThat(ten[20]).isEqualTo((byte) 0x08);
    assertThat(ten[40]).isEqualTo((byte) 0x0A);
    byte[] control = bed.send(0, cdb(0x1A, 0x08, 0x4A, 0, 255, 0), null, 255).dataIn();
    assertThat(control[4 + SWP_AT]).as("SWP").isEqualTo((byte) 0x08);
    assertThat(Arrays.copyOfRange(control, 4 + SWP_AT + 1, control.length)).containsOnly(0);
    assertSense(bed.send(0, cdb(0x1A, 0, 0x08, 0x01, 255, 0), null, 255),
        Sense.INVALID_FIELD_IN_CDB);
  }

  @Test
  void softwareWriteProtectionProtectsTheDeviceForEveryNexusUntilCleared() throws Exception {
    byte[] control = sense6(0x0A, true);
    control[0] = 0;
    control[4 + SWP_AT] |= 0x08;
    assertThat(bed.send(0, select6(control.length), control, 0).good()).isTrue();
    assertThat(sense6(0x0A, true)[4 + SWP_AT] & 0x08).as("SWP reads back").isEqualTo(0x08);
    assertThat(sense6(0x0A, true)[2] & 0x80).as("WP in the header").isEqualTo(0x80);
    try (var other = bed.driver.login("t1", "iqn.test:other")) {
      assertSense(TestBed.send(other, 0, TestBed.write10(0, 1), new byte[512], 0),
          Sense.WRITE_PROTECTED);
      assertThat(TestBed.send(other, 0, TestBed.read10(0, 1), null, 512).good()).isTrue();
    }
    control[4 + SWP_AT] &= ~0x08;
    assertThat(bed.send(0, select6(control.length), control, 0).good()).isTrue();
    assertThat(bed.send(0, TestBed.write10(0, 1), new byte[512], 0).good()).isTrue();
  }

  @Test
  void aRefusedListLeavesSwpAsItWas() throws Exception {
    byte[] all = sense6(0x3F, true);
    all[0] = 0;
    // The control page follows the read-write error recovery and caching pages.
    int recovery = (all[5] & 0xFF) + 2;
    int control = 4 + recovery + (all[4 + recovery + 1] & 0xFF) + 2;
    all[control + SWP_AT] |= 0x08;
    all[control + 3] ^= 0x10; // a change that is not allowed
    assertSense(bed.send(0, select6(all.length), all, 0), Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    assertThat(sense6(0x0A, true)[4 + SWP_AT] & 0x08).isZero();
  }

  @Test
  void readWriteErrorRecoveryPageIsReportedAndNothingInItChanges() throws Exception {
    byte[] page = sense6(0x01, true);
    assertThat(Arrays.copyOfRange(page, 4, page.length))
        .containsExactly(0x01, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    byte[] changeable = bed.send(0, cdb(0x1A, 0x08, 0x41, 0, 255, 0), null, 255).dataIn();
    assertThat(Arrays.copyOfRange(changeable, 6, changeable.length)).containsOnly(0);
    page[0] = 0;
    assertThat(bed.send(0, select6(page.length), page, 0).good()).as("restated").isTrue();
    page[4 + 2] = (byte) 0x80; // AWRE
    LocalResult r = bed.send(0, select6(page.length), page, 0);
    assertSense(r, Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    assertThat(r.sense().senseKeySpecific() & 0xFFFF).isEqualTo(6);
  }

  /** SWP's byte in the control page. */
  private static final int SWP_AT = 4;

  @Test
  void dSenseSwitchesCheckConditionSenseToDescriptorFormat() throws Exception {
    byte[] changeable = bed.send(0, cdb(0x1A, 0x08, 0x4A, 0, 255, 0), null, 255).dataIn();
    assertThat(changeable[4 + 2] & 0x04).as("D_SENSE is changeable").isEqualTo(0x04);
    byte[] control = sense6(0x0A, true);
    control[0] = 0;
    control[4 + 2] |= 0x04;
    assertThat(bed.send(0, select6(control.length), control, 0).good()).isTrue();
    assertThat(sense6(0x0A, true)[4 + 2] & 0x04).isEqualTo(0x04);

    LocalResult r = bed.send(0, TestBed.read10(4000, 1), null, 512);
    assertSense(r, Sense.LBA_OUT_OF_RANGE);
    assertThat(r.sense().descriptorFormat()).isTrue();
    byte[] data = r.sense().toBytes();
    assertThat(data[0]).isEqualTo((byte) 0x72);
    assertThat(data[2]).isEqualTo((byte) 0x21);

    LocalResult field = bed.send(0, cdb(0x1A, 0, 0x19, 0, 255, 0), null, 255);
    byte[] withPointer = field.sense().toBytes();
    assertThat(withPointer).hasSize(16);
    assertThat(withPointer[8]).as("sense-key specific descriptor").isEqualTo((byte) 0x02);
    assertThat(withPointer[12] & 0xC0).as("SKSV, C/D").isEqualTo(0xC0);
    assertThat(withPointer[14]).isEqualTo((byte) 2);

    control[4 + 2] &= ~0x04;
    assertThat(bed.send(0, select6(control.length), control, 0).good()).isTrue();
    assertThat(bed.send(0, TestBed.read10(4000, 1), null, 512).sense().toBytes()[0])
        .isEqualTo((byte) 0x70);
  }

  @Test
  void informationalExceptionsPageKeepsItsReportingControls() throws Exception {
    byte[] page = sense6(0x1C, true);
    assertThat(page).hasSize(4 + 12);
    assertThat(page[4]).isEqualTo((byte) 0x1C);
    assertThat(page[4 + 2] & 0x08).as("DEXCPT by default").isEqualTo(0x08);
    page[0] = 0;
    page[4 + 2] = 0x10; // EWASC, exceptions enabled
    page[4 + 3] = 0x06; // MRIE: only on request
    page[4 + 7] = 100; // interval timer
    assertThat(bed.send(0, select6(page.length), page, 0).good()).isTrue();
    byte[] now = sense6(0x1C, true);
    assertThat(now[4 + 2]).isEqualTo((byte) 0x10);
    assertThat(now[4 + 3]).isEqualTo((byte) 0x06);
    assertThat(now[4 + 7]).isEqualTo((byte) 100);

    page[4 + 2] = 0x04; // TEST: not changeable
    assertSense(bed.send(0, select6(page.length), page, 0),
        Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    page[4 + 2] = 0;
    page[4 + 3] = 0x07; // a reserved MRIE
    LocalResult r = bed.send(0, select6(page.length), page, 0);
    assertSense(r, Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    assertThat(r.sense().senseKeySpecific() & 0xFFFF).isEqualTo(7);
    assertThat(sense6(0x1C, true)[4 + 3]).as("unchanged").isEqualTo((byte) 0x06);
  }
}
