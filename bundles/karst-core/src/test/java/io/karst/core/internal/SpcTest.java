package io.karst.core.internal;

import static io.karst.core.internal.TestBed.assertSense;
import static io.karst.core.internal.TestBed.cdb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.karst.api.local.LocalResult;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.Status;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpcTest extends BedTest {

  private static String ascii(byte[] b, int from, int to) {
    return new String(b, from, to - from, StandardCharsets.US_ASCII);
  }

  @Test
  void standardInquiryNamesTheDevice() throws Exception {
    LocalResult r = bed.send(0, cdb(0x12, 0, 0, 0, 255, 0), null, 255);
    assertThat(r.good()).isTrue();
    byte[] d = r.dataIn();
    assertThat(d[0]).isEqualTo((byte) 0);
    assertThat(d[2]).isEqualTo((byte) 0x06);
    assertThat(d[4] & 0xFF).isEqualTo(d.length - 5);
    assertThat(d[7] & 0x02).isEqualTo(0x02);
    assertThat(ascii(d, 8, 16)).isEqualTo("KARST   ");
    assertThat(ascii(d, 16, 32)).isEqualTo("disk0           ");
    assertThat(r.residual()).isEqualTo(d.length - 255);
  }

  @Test
  void inquiryHonoursTheAllocationLength() throws Exception {
    LocalResult r = bed.send(3, cdb(0x12, 0, 0, 0, 20, 0), null, 20);
    assertThat(r.good()).isTrue();
    assertThat(r.dataIn()).hasSize(20);
    assertThat(bed.send(3, cdb(0x12, 0, 0, 0, 36, 0), null, 36).dataIn())
        .satisfies(d -> assertThat(ascii(d, 16, 32)).isEqualTo("second          "));
  }

  @Test
  void inquiryOfAMissingLunReportsNoLogicalUnit() throws Exception {
    LocalResult r = bed.send(7, cdb(0x12, 0, 0, 0, 36, 0), null, 36);
    assertThat(r.good()).isTrue();
    assertThat(r.dataIn()[0]).isEqualTo((byte) 0x7F);
  }

  @Test
  void aPlaceholderIsListedButNotConnected(@TempDir Path other) throws Exception {
    try (TestBed dummy = new TestBed(other,
        TestBed.CONFIG.replace("t10_prod_id second", "t10_prod_id second\n dummy 1"))) {
      LocalResult r = dummy.send(3, cdb(0x12, 0, 0, 0, 36, 0), null, 36);
      assertThat(r.good()).isTrue();
      assertThat(r.dataIn()[0]).as("qualifier 001b, type 1Fh").isEqualTo((byte) 0x3F);
      assertThat(dummy.send(3, cdb(0x12, 1, 0x80, 0, 64, 0), null, 64).dataIn()[0])
          .isEqualTo((byte) 0x3F);
      assertThat(dummy.send(3, cdb(0, 0, 0, 0, 0, 0), null, 0).good())
          .as("served otherwise").isTrue();
      assertThat(dummy.send(0, cdb(0x12, 0, 0, 0, 36, 0), null, 36).dataIn()[0]).isZero();
    }
  }

  @Test
  void otherCommandsToAMissingLunFail() throws Exception {
    assertSense(bed.send(7, cdb(0, 0, 0, 0, 0, 0), null, 0), Sense.LOGICAL_UNIT_NOT_SUPPORTED);
    LocalResult sense = bed.send(7, cdb(0x03, 0, 0, 0, 18, 0), null, 18);
    assertThat(sense.good()).isTrue();
    assertThat(sense.dataIn()[2] & 0x0F).isEqualTo(5);
    assertThat(sense.dataIn()[12]).isEqualTo((byte) 0x25);
  }

  @Test
  void vpdPagesListedAndServed() throws Exception {
    byte[] pages = bed.send(0, cdb(0x12, 1, 0, 0, 255, 0), null, 255).dataIn();
    byte[] listed = Arrays.copyOfRange(pages, 4, 4 + pages[3]);
    assertThat(listed).containsExactly(0x00, 0x80, 0x83, 0x86, 0x8F, 0xB0, 0xB1);
    for (byte p : listed) {
      LocalResult r = bed.send(0, cdb(0x12, 1, p & 0xFF, 0, 255, 0), null, 255);
      assertThat(r.good()).isTrue();
      assertThat(r.dataIn()[1]).isEqualTo(p);
      assertThat(((r.dataIn()[2] & 0xFF) << 8 | (r.dataIn()[3] & 0xFF)) + 4)
          .isEqualTo(r.dataIn().length);
    }
    byte[] limits = bed.send(0, cdb(0x12, 1, 0xB0, 0, 255, 0), null, 255).dataIn();
    assertThat(ByteBuffer.wrap(limits).getInt(8)).isEqualTo(Sbc.MAX_TRANSFER_BYTES / 512);
    byte[] characteristics = bed.send(0, cdb(0x12, 1, 0xB1, 0, 255, 0), null, 255).dataIn();
    assertThat(ByteBuffer.wrap(characteristics).getShort(4)).as("non-rotating medium")
        .isEqualTo((short) 1);
  }

  @Test
  void extendedInquiryDataSaysWhatTheTaskSetAndVerifySupport() throws Exception {
    byte[] page = bed.send(0, cdb(0x12, 1, 0x86, 0, 255, 0), null, 255).dataIn();
    assertThat(page).hasSize(64);
    assertThat(page[3]).isEqualTo((byte) 0x3C);
    assertThat(page[4]).as("no protection information").isZero();
    assertThat(page[5]).as("HEADSUP, ORDSUP, SIMPSUP").isEqualTo((byte) 0x07);
    assertThat(page[6]).as("V_SUP, not NV_SUP").isEqualTo((byte) 0x01);
    assertThat(page[7]).as("not LUICLR: each LUN reports its own").isZero();
  }

  @Test
  void unsupportedVpdPageIsAnInvalidFieldAtByteTwo() throws Exception {
    LocalResult r = bed.send(0, cdb(0x12, 1, 0xC7, 0, 255, 0), null, 255);
    assertSense(r, Sense.INVALID_FIELD_IN_CDB);
    assertThat(r.sense().senseKeySpecific()).isEqualTo(0xC00002);
    assertSense(bed.send(0, cdb(0x12, 0, 0x80, 0, 255, 0), null, 255),
        Sense.INVALID_FIELD_IN_CDB);
  }

  @Test
  void naaIdentifierIsStableAcrossEngines() throws Exception {
    byte[] first = bed.send(0, cdb(0x12, 1, 0x83, 0, 255, 0), null, 255).dataIn();
    assertThat(first[4] & 0x0F).isEqualTo(1);
    assertThat(first[5] & 0x0F).isEqualTo(3);
    assertThat(first[8] >>> 4 & 0x0F).isEqualTo(6);
    try (TestBed other = new TestBed(dir)) {
      assertThat(other.send(0, cdb(0x12, 1, 0x83, 0, 255, 0), null, 255).dataIn())
          .isEqualTo(first);
      assertThat(other.send(3, cdb(0x12, 1, 0x83, 0, 255, 0), null, 255).dataIn())
          .isNotEqualTo(first);
    }
  }

  @Test
  void anEui64DesignatorIsReportedWhenConfigured() throws Exception {
    assertThat(designatorTypes(bed.send(0, cdb(0x12, 1, 0x83, 0, 255, 0), null, 255)
        .dataIn())).as("none by default").doesNotContain(2);
    String config = TestBed.CONFIG.replace("size 1M", "size 1M\n eui64_id 0x0123456789abcdef");
    try (TestBed other = new TestBed(dir.resolve("eui"), config)) {
      byte[] page = other.send(0, cdb(0x12, 1, 0x83, 0, 255, 0), null, 255).dataIn();
      assertThat(designatorTypes(page)).startsWith(3, 1, 2);
      int at = 4;
      for (int i = 0; i < 2; i++) {
        at += 4 + (page[at + 3] & 0xFF);
      }
      assertThat(page[at] & 0x0F).as("binary").isEqualTo(1);
      assertThat(page[at + 3]).isEqualTo((byte) 8);
      assertThat(Arrays.copyOfRange(page, at + 4, at + 12))
          .containsExactly(0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF);
    }
    assertThatThrownBy(() -> DeviceIdentity.of("d", java.util.Map.of("eui64_id", "0123")))
        .hasMessage("eui64_id: '0123' is not 16, 24 or 32 hex digits");
  }

  /** The designator types of a Device Identification page, in order. */
  private static java.util.List<Integer> designatorTypes(byte[] page) {
    java.util.List<Integer> types = new java.util.ArrayList<>();
    for (int at = 4; at + 4 <= page.length; at += 4 + (page[at + 3] & 0xFF)) {
      types.add(page[at + 1] & 0x0F);
    }
    return types;
  }

  @Test
  void reportLunsListsWhatTheInitiatorSees() throws Exception {
    LocalResult r = bed.send(0, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), null, 256);
    assertThat(r.good()).isTrue();
    ByteBuffer b = ByteBuffer.wrap(r.dataIn());
    assertThat(b.getInt(0)).isEqualTo(16);
    assertThat(b.getLong(8)).isEqualTo(0);
    assertThat(b.getLong(16)).isEqualTo(3L << 48);
    var special = bed.driver.login("t1", "iqn.special:one");
    LocalResult masked =
        TestBed.send(special, 0, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), null, 256);
    assertThat(ByteBuffer.wrap(masked.dataIn()).getInt(0)).isEqualTo(8);
    special.close();
  }

  @Test
  void reportLunsNeedsSixteenBytes() throws Exception {
    LocalResult r = bed.send(0, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0), null, 8);
    assertSense(r, Sense.INVALID_FIELD_IN_CDB);
    assertThat(r.sense().senseKeySpecific() & 0xFFFF).isEqualTo(6);
  }

  @Test
  void testUnitReadyAndRequestSense() throws Exception {
    assertThat(bed.send(0, cdb(0, 0, 0, 0, 0, 0), null, 0).status()).isEqualTo(Status.GOOD);
    LocalResult fixed = bed.send(0, cdb(0x03, 0, 0, 0, 252, 0), null, 252);
    assertThat(fixed.dataIn()).hasSize(Sense.FIXED_LENGTH);
    assertThat(fixed.dataIn()[0]).isEqualTo((byte) 0x70);
    LocalResult descriptor = bed.send(0, cdb(0x03, 1, 0, 0, 252, 0), null, 252);
    assertThat(descriptor.dataIn()[0]).isEqualTo((byte) 0x72);
  }

  @Test
  void modeSenseReportsCachingAndControl() throws Exception {
    LocalResult all = bed.send(0, cdb(0x1A, 0, 0x3F, 0, 255, 0), null, 255);
    assertThat(all.good()).isTrue();
    byte[] d = all.dataIn();
    assertThat(d[0] & 0xFF).isEqualTo(d.length - 1);
    assertThat(d[3]).isEqualTo((byte) 8);
    assertThat(ByteBuffer.wrap(d).getInt(4)).isEqualTo(2048);
    assertThat(d[12]).as("read-write error recovery first").isEqualTo((byte) 0x01);
    assertThat(d[24]).isEqualTo((byte) 0x08);
    assertThat(d[26] & 0x04).isEqualTo(0x04);
    assertThat(d[44]).as("control page, saveable (PS)").isEqualTo((byte) 0x8A);

    byte[] noDescriptor = bed.send(0, cdb(0x1A, 0x08, 0x08, 0, 255, 0), null, 255).dataIn();
    assertThat(noDescriptor[3]).isEqualTo((byte) 0);
    assertThat(noDescriptor).hasSize(4 + 20);

    byte[] ten = bed.send(0, cdb(0x5A, 0x10, 0x0A, 0, 0, 0, 0, 0, 255, 0), null, 255).dataIn();
    assertThat(ByteBuffer.wrap(ten).getShort(6)).isEqualTo((short) 16);
    assertThat(ten[8 + 16]).isEqualTo((byte) 0x8A);

    byte[] readOnly = bed.send(3, cdb(0x1A, 0x08, 0x08, 0, 255, 0), null, 255).dataIn();
    assertThat(readOnly[2] & 0x80).isEqualTo(0x80);
  }

  @Test
  void modeSenseReportsSavedValuesAndRefusesUnknownPages() throws Exception {
    assertThat(bed.send(0, cdb(0x1A, 0, 0xC8, 0, 255, 0), null, 255).good()).isTrue();
    assertSense(bed.send(0, cdb(0x1A, 0, 0x19, 0, 255, 0), null, 255),
        Sense.INVALID_FIELD_IN_CDB);
  }
}
