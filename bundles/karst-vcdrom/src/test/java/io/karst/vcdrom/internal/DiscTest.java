package io.karst.vcdrom.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.karst.api.device.MediumException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscTest {

  @TempDir
  Path dir;

  @Test
  void aDiscTakenOutStaysReadableUntilItsLastReadEnds() throws Exception {
    Disc disc = Disc.open(DriveTest.image(dir.resolve("d.iso"), 4, 3));
    assertThat(disc.blocks).isEqualTo(4);
    assertThat(disc.dvd()).isFalse();
    assertThat(disc.acquire()).as("a read begins").isTrue();
    disc.release(); // the drive lets go: the disc is changed
    ByteBuffer b = ByteBuffer.allocate(2048);
    disc.read(3, b);
    assertThat(b.getLong(0)).as("sector 3 holds its number").isEqualTo(3);
    disc.release(); // the read ends: the file closes
    assertThat(disc.acquire()).as("no read starts on a closed disc").isFalse();
    assertThatThrownBy(() -> disc.read(0, ByteBuffer.allocate(2048)))
        .isInstanceOf(MediumException.class).hasMessageContaining("sector 0");
  }
}
