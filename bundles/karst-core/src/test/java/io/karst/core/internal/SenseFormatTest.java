package io.karst.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.scsi.Sense;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The two sense data formats of SPC-4 4.5 that D_SENSE chooses between. */
class SenseFormatTest {

  @Test
  void descriptorFormatCarriesTheInformationAndTheFieldPointer() {
    Sense miscompare = Sense.MISCOMPARE_DURING_VERIFY.withInformation(0x1_2345_6789L);
    ByteBuffer d = ByteBuffer.wrap(miscompare.inFormat(true).toBytes());
    assertThat(d.capacity()).isEqualTo(20);
    assertThat(d.get(0)).isEqualTo((byte) 0x72);
    assertThat(d.get(1)).isEqualTo((byte) 0x0E);
    assertThat(d.get(2)).isEqualTo((byte) 0x1D);
    assertThat(d.get(7)).as("additional length").isEqualTo((byte) 12);
    assertThat(d.get(8)).as("information descriptor").isZero();
    assertThat(d.get(9)).isEqualTo((byte) 0x0A);
    assertThat(d.get(10) & 0x80).as("VALID").isEqualTo(0x80);
    assertThat(d.getLong(12)).as("all 64 bits of it").isEqualTo(0x1_2345_6789L);

    Sense plain = Sense.LBA_OUT_OF_RANGE.inFormat(true);
    assertThat(plain.toBytes()).containsExactly(0x72, 0x05, 0x21, 0, 0, 0, 0, 0);
    assertThat(plain.length()).isEqualTo(8);
  }

  @Test
  void fixedFormatIsTheDefaultAndTheFormatRoundTrips() {
    Sense field = Sense.INVALID_FIELD_IN_CDB.withFieldPointer(true, 3, -1);
    assertThat(field.descriptorFormat()).isFalse();
    assertThat(field.toBytes()).hasSize(Sense.FIXED_LENGTH);
    assertThat(field.inFormat(true).inFormat(false)).isEqualTo(field);
    assertThat(field.inFormat(true)).isNotEqualTo(field);
    assertThat(field.inFormat(true).withInformation(5).descriptorFormat()).isTrue();
  }

  @Test
  void commandSpecificInformationInBothFormats() {
    Sense aborted = ExtendedCopy.COPY_ABORTED.withCommandSpecificInformation(3)
        .withFieldPointer(false, 40, -1);
    ByteBuffer fixed = ByteBuffer.wrap(aborted.toBytes());
    assertThat(fixed.capacity()).isEqualTo(Sense.FIXED_LENGTH);
    assertThat(fixed.getInt(8)).as("the segment number in its third and fourth bytes")
        .isEqualTo(3);
    assertThat(fixed.get(15) & 0xFF).isEqualTo(0x80);
    assertThat(fixed.getShort(16)).isEqualTo((short) 40);
    ByteBuffer d = ByteBuffer.wrap(aborted.inFormat(true).toBytes());
    assertThat(d.capacity()).isEqualTo(8 + 12 + 8);
    assertThat(d.get(7)).as("additional length").isEqualTo((byte) 20);
    assertThat(d.get(8)).as("command-specific information descriptor").isEqualTo((byte) 1);
    assertThat(d.get(9)).isEqualTo((byte) 0x0A);
    assertThat(d.getLong(12)).isEqualTo(3);
    assertThat(d.get(20)).as("sense key specific descriptor").isEqualTo((byte) 2);
    assertThat(aborted.inFormat(true).inFormat(false)).isEqualTo(aborted);
    assertThat(aborted).isNotEqualTo(aborted.withCommandSpecificInformation(4));
  }
}
