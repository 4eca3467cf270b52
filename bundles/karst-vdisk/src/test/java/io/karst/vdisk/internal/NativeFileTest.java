package io.karst.vdisk.internal;

import static io.karst.vdisk.internal.FileIoHandlerTest.filled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeFileTest {

  @TempDir
  Path dir;

  /**
   * An unmap still queued when the device closes must not reach the file that took over the
   * closed descriptor's number: the next open(2) of the process gets the lowest free number.
   */
  @Test
  void punchAfterCloseFailsAndLeavesTheFileThatReusedTheDescriptorAlone() throws Exception {
    Path closedFile = Files.write(dir.resolve("closed.img"), filled(8192, 1));
    Path other = Files.write(dir.resolve("other.img"), filled(8192, 2));
    NativeFile closed = NativeFile.open(closedFile, true);
    assumeTrue(closed != null, "no native hole punching here");
    closed.close();
    NativeFile reusing = NativeFile.open(other, true);
    try {
      assertThatThrownBy(() -> closed.punch(0, 8192)).isInstanceOf(IOException.class)
          .hasMessageContaining("closed");
      assertThat(closed.seek(0, true, 8192)).as("a closed puncher cannot tell").isEqualTo(-1);
      assertThat(Files.readAllBytes(other)).as("the other file keeps its data")
          .isEqualTo(filled(8192, 2));
    } finally {
      reusing.close();
    }
  }

  @Test
  void closingTwiceClosesTheDescriptorOnce() throws Exception {
    Path file = Files.write(dir.resolve("twice.img"), filled(8192, 1));
    Path other = Files.write(dir.resolve("other.img"), filled(8192, 2));
    NativeFile holes = NativeFile.open(file, true);
    assumeTrue(holes != null, "no native hole punching here");
    holes.close();
    NativeFile reusing = NativeFile.open(other, true);
    try {
      holes.close();
      assertThat(reusing.punch(0, 4096)).as("the reused descriptor is still open").isTrue();
      assertThat(Files.readAllBytes(other)).startsWith(new byte[4096]);
    } finally {
      reusing.close();
    }
  }
}
