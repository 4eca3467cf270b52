package io.karst.core.internal;

import static io.karst.core.internal.TestBed.cdb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.karst.api.local.LocalSession;
import io.karst.api.target.SessionException;
import io.karst.api.target.SessionException.Reason;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LUN masking: which LUNs an initiator sees, by the INITIATOR patterns of the groups. */
class AccessTest extends BedTest {

  @Override
  String config() {
    return """
        HANDLER memory {
            DEVICE a { size 64K }
            DEVICE b { size 128K }
            DEVICE c { size 256K }
        }
        TARGET_DRIVER local {
            enabled 1
            TARGET t1 {
                enabled 1
                LUN 0 a
                GROUP lab {
                    LUN 0 b
                    LUN 300 c
                    INITIATOR iqn.1993-08.org.debian:01:*
                    INITIATOR iqn.host-?
                }
            }
            TARGET groups-only {
                enabled 1
                GROUP only {
                    LUN 5 c
                    INITIATOR iqn.only
                }
            }
        }
        """;
  }

  /** The LUNs REPORT LUNS gives this nexus, decoded. */
  private static List<Long> luns(LocalSession s) throws Exception {
    byte[] data = TestBed.send(s, 0, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), null, 256)
        .dataIn();
    ByteBuffer b = ByteBuffer.wrap(data);
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < b.getInt(0) / 8; i++) {
      out.add(b.getLong(8 + 8 * i) >>> 48 & 0x3FFF);
    }
    return out;
  }

  /** The capacity in blocks of the LUN as this nexus sees it. */
  private static long capacity(LocalSession s, long lun) throws Exception {
    byte[] d = TestBed.send(s, lun, cdb(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0), null, 8).dataIn();
    return ByteBuffer.wrap(d).getInt(0) + 1L;
  }

  @Test
  void aMatchingGroupReplacesTheTargetsOwnLuns() throws Exception {
    assertThat(luns(bed.session)).containsExactly(0L);
    assertThat(capacity(bed.session, 0)).isEqualTo(128);
    for (String name : List.of("iqn.1993-08.org.debian:01:abc", "IQN.HOST-7")) {
      try (LocalSession s = bed.driver.login("t1", name)) {
        assertThat(luns(s)).containsExactly(0L, 300L);
        assertThat(capacity(s, 0)).isEqualTo(256);
        assertThat(capacity(s, 300)).isEqualTo(512);
      }
    }
    // '?' is exactly one character.
    try (LocalSession s = bed.driver.login("t1", "iqn.host-77")) {
      assertThat(luns(s)).containsExactly(0L);
    }
  }

  @Test
  void lunsFrom256UseFlatSpaceAddressing() throws Exception {
    try (LocalSession s = bed.driver.login("t1", "iqn.host-1")) {
      byte[] data = TestBed.send(s, 0, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), null, 256)
          .dataIn();
      assertThat(data[16]).isEqualTo((byte) (0x40 | 300 >> 8));
      assertThat(data[17]).isEqualTo((byte) (300 & 0xFF));
    }
  }

  @Test
  void aTargetWithOnlyGroupsAdmitsOnlyTheirInitiators() throws Exception {
    assertThatThrownBy(() -> bed.driver.login("groups-only", "iqn.other"))
        .isInstanceOfSatisfying(SessionException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHORIZED));
    try (LocalSession first = bed.driver.login("groups-only", "iqn.only");
        LocalSession second = bed.driver.login("groups-only", "iqn.only")) {
      assertThat(luns(first)).containsExactly(5L);
      assertThat(luns(second)).containsExactly(5L);
      assertThat(bed.engine.sessions()).filteredOn(s -> s.target().equals("groups-only"))
          .hasSize(2);
    }
  }

  @Test
  void initiatorPatternsMatchLikeScsts() {
    assertThat(CoreTarget.pattern("iqn.1993-08.org.debian:*").matcher("IQN.1993-08.org.debian:01:ab")
        .matches()).as("names compare without case").isTrue();
    assertThat(CoreTarget.pattern("iqn.host?").matcher("iqn.host7").matches()).isTrue();
    assertThat(CoreTarget.pattern("iqn.host?").matcher("iqn.host77").matches()).isFalse();
    assertThat(CoreTarget.pattern("iqn.a.b").matcher("iqn.aXb").matches())
        .as("dots are literal").isFalse();
    assertThat(CoreTarget.pattern("!iqn.bad*").matcher("iqn.bad-host").matches()).isFalse();
    assertThat(CoreTarget.pattern("!iqn.bad*").matcher("iqn.good-host").matches()).isTrue();
  }
}
