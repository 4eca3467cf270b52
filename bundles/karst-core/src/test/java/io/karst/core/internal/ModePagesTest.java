package io.karst.core.internal;

import static io.karst.core.internal.TestBed.assertSense;
import static io.karst.core.internal.TestBed.cdb;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.local.LocalResult;
import io.karst.api.local.LocalSession;
import io.karst.api.scsi.Sense;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ModePagesTest extends BedTest {

  /** LUN 5: disk2, whose backend can switch its write cache. */
  private static final int SWITCHABLE = 5;

  @Override
  String config() {
    return TestBed.CONFIG.replace("    DEVICE disk1 {",
        "    DEVICE disk2 {\n size 64K\n wce_changeable 1\n }\n    DEVICE disk1 {")
        .replaceFirst("LUN 0 disk0\n", "LUN 0 disk0\n LUN 5 disk2\n");
  }

  /** MODE SENSE(6) without block descriptor: the header, then the page as {@code pc} reports. */
  static byte[] modeSense(LocalSession s, long lun, int pc, int page) throws Exception {
    LocalResult r = TestBed.send(s, lun, cdb(0x1A, 0x08, pc << 6 | page, 0, 255, 0), null, 255);
    assertThat(r.good()).isTrue();
    return r.dataIn();
  }

  /** MODE SELECT(6) of what {@link #modeSense} gave, changed; with SP when {@code save}. */
  static LocalResult modeSelect(LocalSession s, long lun, byte[] list, boolean save)
      throws Exception {
    list[0] = 0; // MODE DATA LENGTH is reserved in MODE SELECT
    return TestBed.send(s, lun, cdb(0x15, save ? 0x11 : 0x10, 0, 0, list.length, 0), list, 0);
  }

  /** Selects control page values on LUN 0 of {@code s}: D_SENSE, QERR, SWP, TAS. */
  static LocalResult selectControl(LocalSession s, boolean dSense, int qerr, boolean tas,
      boolean save) throws Exception {
    byte[] control = modeSense(s, 0, 0, 0x0A);
    control[4 + 2] = (byte) (dSense ? 0x04 : 0);
    control[4 + 3] = (byte) (0x10 | qerr << 1);
    control[4 + 5] = (byte) (tas ? 0x40 : 0);
    return modeSelect(s, 0, control, save);
  }

  private static final int CURRENT = 0;
  private static final int CHANGEABLE = 1;
  private static final int DEFAULT = 2;
  private static final int SAVED = 3;

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
  void modeSelectRefusesSavingAPageThatIsNotSaveableAndShortLists() throws Exception {
    byte[] caching = sense6(0x08, true);
    assertThat(caching[4] & 0x80).as("PS: this backend cannot switch its cache").isZero();
    caching[0] = 0;
    LocalResult save = bed.send(0, cdb(0x15, 0x11, 0, 0, caching.length, 0), caching, 0);
    assertSense(save, Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    assertThat(save.sense().senseKeySpecific()).isEqualTo(0x800000 | 4);
    assertSense(bed.send(0, select6(2), new byte[2], 0), Sense.PARAMETER_LIST_LENGTH_ERROR);
    byte[] cut = Arrays.copyOf(caching, 10);
    assertSense(bed.send(0, select6(cut.length), cut, 0), Sense.PARAMETER_LIST_LENGTH_ERROR);
  }

  @Test
  void modeSenseChangeableValuesAreTheControlPagesAndNotWceOfAFixedCache() throws Exception {
    byte[] changeable = bed.send(0, cdb(0x1A, 0x08, 0x48, 0, 255, 0), null, 255).dataIn();
    assertThat(changeable[4]).isEqualTo((byte) 0x08);
    assertThat(Arrays.copyOfRange(changeable, 6, changeable.length)).containsOnly(0);
    byte[] ten = bed.send(0, cdb(0x5A, 0x08, 0x3F, 0xFF, 0, 0, 0, 0, 255, 0), null, 255)
        .dataIn();
    assertThat(ten[7]).isEqualTo((byte) 0);
    assertThat(ten[8]).isEqualTo((byte) 0x01);
    assertThat(ten[20]).isEqualTo((byte) 0x08);
    assertThat(ten[40]).as("control page, PS").isEqualTo((byte) 0x8A);
    byte[] control = bed.send(0, cdb(0x1A, 0x08, 0x4A, 0, 255, 0), null, 255).dataIn();
    assertThat(control[4 + 2]).as("D_SENSE").isEqualTo((byte) 0x04);
    assertThat(control[4 + 3]).as("QERR").isEqualTo((byte) 0x06);
    assertThat(control[4 + SWP_AT]).as("SWP").isEqualTo((byte) 0x08);
    assertThat(control[4 + 5]).as("TAS").isEqualTo((byte) 0x40);
    assertThat(Arrays.copyOfRange(control, 4 + 6, control.length)).containsOnly(0);
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
    assertThat(page[4]).as("PS, page code").isEqualTo((byte) 0x9C);
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

  @Test
  void everyPageControlIsReportedAndSavingKeepsTheSavedValuesApart() throws Exception {
    assertThat(selectControl(bed.session, true, 0, false, false).good()).isTrue();
    assertThat(modeSense(bed.session, 0, CURRENT, 0x0A)[4 + 2]).as("D_SENSE").isEqualTo(
        (byte) 0x04);
    assertThat(modeSense(bed.session, 0, DEFAULT, 0x0A)[4 + 2]).isZero();
    assertThat(modeSense(bed.session, 0, SAVED, 0x0A)[4 + 2]).as("nothing saved").isZero();
    assertThat(Files.exists(dir.resolve("mode").resolve("disk0.mode"))).isFalse();

    assertThat(selectControl(bed.session, true, 3, true, true).good()).isTrue();
    byte[] saved = modeSense(bed.session, 0, SAVED, 0x0A);
    assertThat(Arrays.copyOfRange(saved, 4, 10)).containsExactly(0x8A, 0x0A, 0x04, 0x16, 0,
        0x40);
    assertThat(modeSense(bed.session, 0, CURRENT, 0x0A)).isEqualTo(saved);
    byte[] defaults = modeSense(bed.session, 0, DEFAULT, 0x0A);
    assertThat(Arrays.copyOfRange(defaults, 4, 10)).containsExactly(0x8A, 0x0A, 0, 0x10, 0, 0);
    assertThat(Files.exists(dir.resolve("mode").resolve("disk0.mode"))).isTrue();
    for (int pc = CURRENT; pc <= SAVED; pc++) {
      assertThat(modeSense(bed.session, 0, pc, 0x01)[4]).as("read-write error recovery: no PS")
          .isEqualTo((byte) 0x01);
      assertThat(modeSense(bed.session, 0, pc, 0x1C)[4]).as("exceptions: PS")
          .isEqualTo((byte) 0x9C);
    }
  }

  @Test
  void qerrTakesZeroOneAndThreeButNotTheReservedValue() throws Exception {
    for (int qerr : new int[] {1, 3, 0}) {
      assertThat(selectControl(bed.session, false, qerr, false, false).good()).isTrue();
      assertThat(modeSense(bed.session, 0, CURRENT, 0x0A)[4 + 3]).isEqualTo(
          (byte) (0x10 | qerr << 1));
    }
    LocalResult r = selectControl(bed.session, false, 2, false, false);
    assertSense(r, Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    assertThat(r.sense().senseKeySpecific()).as("byte 3 of the page, bit 2")
        .isEqualTo(0x800000 | 0x080000 | 0x020000 | (4 + 3));
    assertThat(modeSense(bed.session, 0, CURRENT, 0x0A)[4 + 3]).isEqualTo((byte) 0x10);
  }

  @Test
  void wceIsChangeableAndSaveableWhereTheBackendCanSwitchItsCache() throws Exception {
    byte[] changeable = modeSense(bed.session, SWITCHABLE, CHANGEABLE, 0x08);
    assertThat(changeable[4]).as("PS, caching page").isEqualTo((byte) 0x88);
    assertThat(changeable[4 + 2]).as("WCE").isEqualTo((byte) 0x04);
    byte[] caching = modeSense(bed.session, SWITCHABLE, CURRENT, 0x08);
    assertThat(caching[4 + 2] & 0x04).isEqualTo(0x04);
    try (var other = bed.driver.login("t1", "iqn.test:other")) {
      TestBed.send(other, SWITCHABLE, cdb(0, 0, 0, 0, 0, 0), null, 0); // any UA of a login
      caching[4 + 2] = 0;
      assertThat(modeSelect(bed.session, SWITCHABLE, caching, false).good()).isTrue();
      assertSense(TestBed.send(other, SWITCHABLE, cdb(0, 0, 0, 0, 0, 0), null, 0),
          UnitAttention.MODE_PARAMETERS_CHANGED);
    }
    assertThat(modeSense(bed.session, SWITCHABLE, CURRENT, 0x08)[4 + 2]).isZero();
    assertThat(modeSense(bed.session, SWITCHABLE, DEFAULT, 0x08)[4 + 2]).as("as configured")
        .isEqualTo((byte) 0x04);
    assertThat(modeSense(bed.session, SWITCHABLE, SAVED, 0x08)[4 + 2]).isEqualTo((byte) 0x04);

    assertThat(modeSelect(bed.session, SWITCHABLE, caching, true).good()).isTrue();
    assertThat(modeSense(bed.session, SWITCHABLE, SAVED, 0x08)[4 + 2]).isZero();
    bed.close();
    bed = new TestBed(dir, config());
    assertThat(modeSense(bed.session, SWITCHABLE, CURRENT, 0x08)[4 + 2])
        .as("a new backend is switched to the saved value").isZero();
    assertThat(modeSense(bed.session, SWITCHABLE, DEFAULT, 0x08)[4 + 2]).isEqualTo((byte) 0x04);
  }

  @Test
  void savedValuesAreTheCurrentOnesAfterARestart() throws Exception {
    assertThat(selectControl(bed.session, true, 1, true, true).good()).isTrue();
    byte[] exceptions = modeSense(bed.session, 0, CURRENT, 0x1C);
    exceptions[4 + 2] = 0x10;
    exceptions[4 + 3] = 0x06;
    assertThat(modeSelect(bed.session, 0, exceptions, true).good()).isTrue();
    assertThat(selectControl(bed.session, false, 0, false, false).good())
        .as("a change that is not saved").isTrue();
    bed.close();

    bed = new TestBed(dir, config());
    byte[] control = modeSense(bed.session, 0, CURRENT, 0x0A);
    assertThat(Arrays.copyOfRange(control, 4 + 2, 4 + 6)).containsExactly(0x04, 0x12, 0, 0x40);
    byte[] now = modeSense(bed.session, 0, CURRENT, 0x1C);
    assertThat(now[4 + 2]).isEqualTo((byte) 0x10);
    assertThat(now[4 + 3]).isEqualTo((byte) 0x06);
    assertThat(bed.send(0, TestBed.read10(4000, 1), null, 512).sense().descriptorFormat())
        .as("D_SENSE in effect").isTrue();
  }

  @Test
  void anUnreadableSavedFileIsMovedAsideAndTheDeviceStartsWithTheDefaults() throws Exception {
    bed.close();
    Path file = dir.resolve("mode").resolve("disk0.mode");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "d_sense 1\nqerr 2\nswp 0\ntas 0\nexceptions 08000000000000000000\n");
    bed = new TestBed(dir, config());
    assertThat(modeSense(bed.session, 0, CURRENT, 0x0A)[4 + 2]).isZero();
    assertThat(modeSense(bed.session, 0, SAVED, 0x0A)[4 + 3]).isEqualTo((byte) 0x10);
    assertThat(file).doesNotExist();
    assertThat(file.resolveSibling("disk0.mode.corrupt")).exists();
  }

  @Test
  void aSavedWceIsIgnoredWhereTheCacheCannotBeSwitched() throws Exception {
    bed.close();
    Path file = dir.resolve("mode").resolve("disk0.mode");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "wce 0\nd_sense 1\nswp 0\nqerr 0\ntas 0\n"
        + "exceptions 08000000000000000000\n");
    bed = new TestBed(dir, config());
    assertThat(modeSense(bed.session, 0, CURRENT, 0x0A)[4 + 2]).as("the rest is restored")
        .isEqualTo((byte) 0x04);
    assertThat(modeSense(bed.session, 0, CURRENT, 0x08)[4 + 2]).isEqualTo((byte) 0x04);
    assertThat(modeSense(bed.session, 0, SAVED, 0x08)[4 + 2]).isEqualTo((byte) 0x04);
  }
}
