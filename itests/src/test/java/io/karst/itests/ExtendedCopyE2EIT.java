package io.karst.itests;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.itests.KarstServer.Result;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * EXTENDED COPY on vdisk_fileio devices as an initiator sends it (libiscsi's own tests of it run
 * in the conformance suite): a copy of several megabytes between a 512-byte and a 4096-byte
 * device, checked with QEMU; and the access rule, seen from two initiators of two groups, each
 * of which may copy its own devices and neither can name the other's. The copies go through
 * {@link IscsiInitiator}, as no packaged tool sends EXTENDED COPY.
 */
class ExtendedCopyE2EIT {

  private static final int PORT = 13281;
  private static final String TARGET = "iqn.2026-11.io.karst:copies";
  private static final String HOST = "iqn.2026-11.io.karst.test:host";
  private static final String OTHER = "iqn.2026-11.io.karst.test:other-1";

  private static KarstServer server;

  @BeforeAll
  static void startServer() throws Exception {
    KarstServer.requireTools("qemu-io");
    String others = "GROUP others {\n      LUN 0 theirs\n"
        + "      INITIATOR iqn.2026-11.io.karst.test:other-*\n    }";
    server = KarstServer.start("xcopy", PORT, KarstServer.handler("vdisk_fileio",
            KarstServer.device("small", 16L << 20), KarstServer.device("large", 16L << 20,
                "blocksize 4096"), KarstServer.device("theirs", 4L << 20))
        + KarstServer.iscsi(PORT, KarstServer.target(TARGET, "LUN 0 small", "LUN 1 large",
            others)));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private static String url(int lun) {
    return server.portal() + "/" + TARGET + "/" + lun;
  }

  /** The NAA designator of a LUN, from its Device Identification VPD page. */
  private static byte[] naa(IscsiInitiator i, int lun) throws Exception {
    IscsiInitiator.Response r = i.command(lun, new byte[] {0x12, 1, (byte) 0x83, 0, (byte) 255,
        0}, new byte[0], 255);
    assertThat(r.status()).isZero();
    byte[] page = r.data();
    for (int at = 4; at + 4 <= page.length; at += 4 + (page[at + 3] & 0xFF)) {
      if ((page[at + 1] & 0x3F) == 0x03) {
        return Arrays.copyOfRange(page, at + 4, at + 4 + (page[at + 3] & 0xFF));
      }
    }
    throw new AssertionError("no NAA designator");
  }

  private static byte[] cscd(byte[] naa, int blockSize) {
    ByteBuffer d = ByteBuffer.allocate(32);
    d.put((byte) 0xE4).put((byte) 0).putShort((short) 0);
    d.put((byte) 0x01).put((byte) 0x03).put((byte) 0).put((byte) naa.length).put(naa);
    d.position(29);
    d.put((byte) (blockSize >> 16)).put((byte) (blockSize >> 8)).put((byte) blockSize);
    return d.array();
  }

  /** EXTENDED COPY of one block to block segment from CSCD 0 to CSCD 1, no list identifier. */
  private static IscsiInitiator.Response copy(IscsiInitiator i, byte[] source,
      byte[] destination, int blocks, long sourceLba, long destinationLba) throws Exception {
    ByteBuffer p = ByteBuffer.allocate(16 + 64 + 28);
    p.put((byte) 0).put((byte) 0x18).putShort((short) 64).putInt(0).putInt(28).putInt(0);
    p.put(source).put(destination);
    p.put((byte) 0x02).put((byte) 0).putShort((short) 0x18).putShort((short) 0)
        .putShort((short) 1).putShort((short) 0).putShort((short) blocks).putLong(sourceLba)
        .putLong(destinationLba);
    int n = p.capacity();
    byte[] cdb = {(byte) 0x83, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) (n >> 24), (byte) (n >> 16),
        (byte) (n >> 8), (byte) n, 0, 0};
    return i.command(0, cdb, p.array(), 0);
  }

  @Test
  void severalMegabytesBetweenDevicesOfDifferentBlockSizes() throws Exception {
    Result written = KarstServer.qemuIo(url(0), List.of("write -P 0x5a 1M 6M"));
    assertThat(written.output()).as(written.output()).contains("wrote 6291456/6291456");
    try (IscsiInitiator i = new IscsiInitiator(PORT, HOST, 0x40_00_00_00_00_01L, TARGET)) {
      // 12288 blocks of 512 bytes from 1 MiB into the 4096-byte device at 64 KiB.
      IscsiInitiator.Response r = copy(i, cscd(naa(i, 0), 512), cscd(naa(i, 1), 4096),
          12288, 2048, 16);
      assertThat(r.status()).as(r.senseCode()).isZero();
    }
    Result read = KarstServer.qemuIo(url(1),
        List.of("read -P 0x5a 64k 6M", "read -P 0 0 64k", "read -P 0 6208k 64k"));
    assertThat(read.output()).as(read.output()).doesNotContain("Pattern verification failed")
        .contains("read 6291456/6291456");
  }

  @Test
  void eachInitiatorCopiesItsOwnDevicesAndCannotNameAnothers() throws Exception {
    byte[] theirs;
    try (IscsiInitiator other = new IscsiInitiator(PORT, OTHER, 0x40_00_00_00_00_02L, TARGET)) {
      theirs = naa(other, 0);
      IscsiInitiator.Response own = copy(other, cscd(theirs, 512), cscd(theirs, 512), 8, 0, 8);
      assertThat(own.status()).as(own.senseCode()).isZero();
    }
    Result before = KarstServer.qemuIo(url(0), List.of("write -P 0x33 0 4k"));
    assertThat(before.output()).contains("wrote 4096/4096");
    try (IscsiInitiator i = new IscsiInitiator(PORT, HOST, 0x40_00_00_00_00_03L, TARGET)) {
      IscsiInitiator.Response r = copy(i, cscd(theirs, 512), cscd(naa(i, 0), 512), 8, 0, 0);
      assertThat(r.status()).isEqualTo(2);
      assertThat(r.senseCode()).as("COPY ABORTED, COPY TARGET DEVICE NOT REACHABLE")
          .isEqualTo("a/0d/02");
    }
    Result after = KarstServer.qemuIo(url(0), List.of("read -P 0x33 0 4k"));
    assertThat(after.output()).as("nothing was copied").contains("read 4096/4096")
        .doesNotContain("Pattern verification failed");
  }
}
