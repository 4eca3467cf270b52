package io.karst.itests;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.itests.KarstServer.Result;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LUN masking and ALUA as initiators see them. A target's own LUNs are the default set, for
 * initiators in none of its groups (SCST's semantics); a group member sees its group's LUNs
 * instead; a target with groups only admits nobody else. libiscsi's tools and QEMU, told which
 * initiator to be, see exactly that. ALUA: a SET TARGET PORT GROUPS through one path moves the
 * active group; QEMU finds the old path refused and the new one serving, and a session on the
 * other path gets ASYMMETRIC ACCESS STATE CHANGED on its next command and the new states in
 * REPORT TARGET PORT GROUPS; {@code karst:alua-state} in the administrator's shell moves it
 * back, and every session is told. No packaged tool here sends those two SCSI commands
 * (sg3-utils is not installed), so they go through {@link IscsiInitiator}, and libiscsi itself
 * sees the changes through {@link LibiscsiSession}. A session libiscsi holds open follows its
 * initiator name into another group when an administrator moves the name's pattern.
 */
class AccessControlE2EIT {

  private static final int PORT = 13272;
  private static final String MASKED = "iqn.2026-11.io.karst:masked";
  private static final String MEMBERS_ONLY = "iqn.2026-11.io.karst:members-only";
  private static final String PATH_A = "iqn.2026-11.io.karst:path-a";
  private static final String PATH_B = "iqn.2026-11.io.karst:path-b";
  private static final String MEMBER = "iqn.2026-11.io.karst.test:member-1";
  private static final String OUTSIDER = "iqn.2026-11.io.karst.test:outsider";
  /** Initiators of the ALUA paths' group, so that the others' iscsi-ls never meets a standby. */
  private static final String HOST = "iqn.2026-11.io.karst.test:multipath-";
  /** A target whose initiator names an administrator moves from one group to the other. */
  private static final String MOVING = "iqn.2026-11.io.karst:moving";
  private static final String MOVER = "iqn.2026-11.io.karst.test:mover-1";

  private static KarstServer server;

  @BeforeAll
  static void startServer() throws Exception {
    KarstServer.requireTools("iscsi-ls", "qemu-io", "python3");
    String members = "GROUP members {\n      LUN 0 mine\n      LUN 1 shelf {\n"
        + "        read_only 1\n      }\n      INITIATOR iqn.2026-11.io.karst.test:member-*\n"
        + "    }";
    String paths = "GROUP paths {\n      LUN 0 paths\n"
        + "      INITIATOR iqn.2026-11.io.karst.test:multipath-*\n    }";
    String moving = "GROUP first {\n      LUN 0 common\n      LUN 1 shelf\n"
        + "      INITIATOR iqn.2026-11.io.karst.test:mover-*\n    }\n"
        + "    GROUP second {\n      LUN 0 mine\n      LUN 3 shelf\n    }";
    server = KarstServer.start("access", PORT, KarstServer.handler("vdisk_fileio",
            KarstServer.device("common", 8L << 20), KarstServer.device("mine", 16L << 20),
            KarstServer.device("shelf", 4L << 20), KarstServer.device("paths", 8L << 20))
        + KarstServer.iscsi(PORT,
            KarstServer.target(MASKED, "LUN 0 common", members),
            KarstServer.target(MEMBERS_ONLY, members),
            KarstServer.target(PATH_A, paths),
            KarstServer.target(PATH_B, paths),
            KarstServer.target(MOVING, moving))
        + """
        DEVICE_GROUP dg {
          DEVICE paths
          TARGET_GROUP near {
            group_id 1
            state active
            TARGET %s
          }
          TARGET_GROUP far {
            group_id 2
            state standby
            TARGET %s
          }
        }
        """.formatted(PATH_A, PATH_B));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** iscsi-ls -s as an initiator: each target it lists, with "LUN:size" of its LUNs. */
  private static String listing(String initiator) throws Exception {
    Result r = KarstServer.run(60, "iscsi-ls", "-i", initiator, "-s", server.portal());
    assertThat(r.exit()).as(r.output()).isZero();
    StringBuilder out = new StringBuilder();
    Matcher m = Pattern.compile("Target:(\\S+)|Lun:(\\d+)\\s+Type:\\S+ \\(Size:(\\S+)\\)")
        .matcher(r.output());
    while (m.find()) {
      out.append(m.group(1) != null ? "\n" + m.group(1) + ":"
          : " " + m.group(2) + "=" + m.group(3));
    }
    return out.toString().trim();
  }

  @Test
  void anInitiatorInNoGroupSeesTheDefaultLunsAndNothingOfTheGroupsOnlyTarget() throws Exception {
    String seen = listing(OUTSIDER);
    assertThat(seen).contains(MASKED + ": 0=7M").doesNotContain(MEMBERS_ONLY)
        .doesNotContain(MASKED + ": 0=7M 1=");
    Result login = KarstServer.qemuIoWithOptions("driver=iscsi,transport=tcp,portal=127.0.0.1:"
        + PORT + ",target=" + MEMBERS_ONLY + ",lun=0,initiator-name=" + OUTSIDER,
        List.of("read 0 4k"));
    assertThat(login.exit()).as("no LUN for it there: the login is refused: " + login.output())
        .isNotZero();
  }

  @Test
  void aGroupMemberSeesExactlyItsGroupsLuns() throws Exception {
    String seen = listing(MEMBER);
    assertThat(seen).contains(MASKED + ": 0=15M 1=3M", MEMBERS_ONLY + ": 0=15M");
  }

  @Test
  void aReadOnlyLunRefusesWrites() throws Exception {
    String member = "driver=iscsi,transport=tcp,portal=127.0.0.1:" + PORT + ",target=" + MASKED
        + ",initiator-name=" + MEMBER;
    Result rw = KarstServer.qemuIoWithOptions(member + ",lun=0",
        List.of("write -P 7 0 4k", "read -P 7 0 4k"));
    assertThat(rw.output()).as("LUN 0 is writable").doesNotContain("failed", "error")
        .contains("wrote 4096/4096");
    Result ro = KarstServer.qemuIoWithOptions(member + ",lun=1", List.of("write -P 7 0 4k"));
    assertThat(ro.output()).as("QEMU reads WP in MODE SENSE and will not open it read-write")
        .doesNotContain("wrote 4096/4096");
    assertThat(ro.exit()).isNotZero();
    try (IscsiInitiator i = new IscsiInitiator(PORT, MEMBER, 0x40_00_00_00_00_01L, MASKED)) {
      IscsiInitiator.Response write = i.command(1, write10(), new byte[512], 0);
      assertThat(write.status()).isEqualTo(2);
      assertThat(write.senseCode()).as("DATA PROTECT, WRITE PROTECTED").isEqualTo("7/27/00");
    }
  }

  @Test
  void aTargetPortGroupChangeIsVisibleToInitiators() throws Exception {
    String pathA = "driver=iscsi,transport=tcp,portal=127.0.0.1:" + PORT + ",target=" + PATH_A
        + ",lun=0,initiator-name=" + HOST + "qemu";
    String pathB = pathA.replace(PATH_A, PATH_B);
    assertThat(KarstServer.qemuIoWithOptions(pathA, List.of("read 0 4k")).output())
        .contains("read 4096/4096");
    assertThat(KarstServer.qemuIoWithOptions(pathB, List.of("read 0 4k")).output())
        .as("standby").doesNotContain("read 4096/4096");
    try (IscsiInitiator observer = new IscsiInitiator(PORT, HOST + "1", 0x40_00_00_00_00_02L,
            PATH_A);
        IscsiInitiator changer = new IscsiInitiator(PORT, HOST + "2", 0x40_00_00_00_00_03L,
            PATH_B);
        LibiscsiSession libiscsi = new LibiscsiSession(PORT, PATH_A, HOST + "libiscsi", 0)) {
      assertThat(observer.command(new byte[6], new byte[0], 0).status()).isZero();
      assertThat(libiscsi.send("rtpg 0")).isEqualTo("group 1 active/optimized, group 2 standby");
      // SET TARGET PORT GROUPS: near (1) standby, far (2) active/optimized.
      byte[] descriptors = ByteBuffer.allocate(12).putInt(0).put((byte) 0x02).put((byte) 0)
          .putShort((short) 1).put((byte) 0x00).put((byte) 0).putShort((short) 2).array();
      IscsiInitiator.Response set = changer.command(maintenance(0xA4, 12), descriptors, 0);
      assertThat(set.status()).as(set.senseCode()).isZero();
      assertThat(changer.command(new byte[6], new byte[0], 0).status())
          .as("the nexus that made the change is not told").isZero();

      IscsiInitiator.Response attention = observer.command(new byte[6], new byte[0], 0);
      assertThat(attention.status()).isEqualTo(2);
      assertThat(attention.senseCode()).as("ASYMMETRIC ACCESS STATE CHANGED")
          .isEqualTo("6/2a/06");
      ByteBuffer groups = ByteBuffer.wrap(observer.command(maintenance(0xA3, 256), new byte[0],
          256).data());
      assertThat(groups.get(4) & 0x0F).as("near is standby").isEqualTo(2);
      assertThat(groups.get(9)).as("altered by SET TARGET PORT GROUPS").isEqualTo((byte) 1);
      assertThat(groups.get(16) & 0x0F).as("far is active/optimized").isZero();
      assertThat(observer.command(new byte[6], new byte[0], 0).senseCode())
          .as("then its port's standby state").isEqualTo("2/04/0b");
      assertThat(libiscsi.send("tur 0")).as("libiscsi is told too")
          .isEqualTo("status 2 sense 6/2a/06");
      assertThat(libiscsi.send("rtpg 0"))
          .isEqualTo("group 1 standby (set), group 2 active/optimized (set)");
      assertThat(libiscsi.send("tur 0")).isEqualTo("status 2 sense 2/04/0b");
      assertThat(KarstServer.qemuIoWithOptions(pathB, List.of("read 0 4k")).output())
          .contains("read 4096/4096");
      assertThat(KarstServer.qemuIoWithOptions(pathA, List.of("read 0 4k")).output())
          .doesNotContain("read 4096/4096");

      // Back, by an implicit transition from the administrator's shell: every nexus is told.
      server.shell("karst:alua-state dg near active");
      server.shell("karst:alua-state dg far standby");
      for (IscsiInitiator i : List.of(observer, changer)) {
        assertThat(i.command(new byte[6], new byte[0], 0).senseCode()).isEqualTo("6/2a/06");
      }
      assertThat(libiscsi.send("tur 0")).isEqualTo("status 2 sense 6/2a/06");
      assertThat(libiscsi.send("rtpg 0"))
          .isEqualTo("group 1 active/optimized (implicit), group 2 standby (implicit)");
      assertThat(libiscsi.send("tur 0")).isEqualTo("good");
      groups = ByteBuffer.wrap(observer.command(maintenance(0xA3, 256), new byte[0], 256)
          .data());
      assertThat(groups.get(4) & 0x0F).as("near is active/optimized").isZero();
      assertThat(groups.get(9)).as("altered implicitly").isEqualTo((byte) 2);
      assertThat(groups.get(16) & 0x0F).as("far is standby").isEqualTo(2);
      assertThat(observer.command(new byte[6], new byte[0], 0).status()).isZero();
    }
    assertThat(KarstServer.qemuIoWithOptions(pathA, List.of("read 0 4k")).output())
        .contains("read 4096/4096");
  }

  /**
   * An administrator moves an initiator's pattern to another group of the target: the session
   * it has open follows, on the same nexus, and is told by REPORTED LUNS DATA HAS CHANGED. Had
   * libiscsi lost the connection and logged in again, its first command would have met the new
   * session's POWER ON, RESET OR BUS DEVICE RESET OCCURRED instead.
   */
  @Test
  void aSessionMovesToAnotherGroupWhenItsPatternDoesWithoutLoggingInAgain() throws Exception {
    try (LibiscsiSession session = new LibiscsiSession(PORT, MOVING, MOVER, 0)) {
      assertThat(session.send("luns")).isEqualTo("0 1");
      assertThat(session.send("tur 1")).isEqualTo("good");

      server.shell("karst:initiator-move " + MOVING + " first iqn.2026-11.io.karst.test:mover-* "
          + "second");

      assertThat(session.send("tur 0")).isEqualTo("status 2 sense 6/3f/0e");
      assertThat(session.send("tur 3")).as("told on every LUN of its new map")
          .isEqualTo("status 2 sense 6/3f/0e");
      assertThat(session.send("luns")).as("exactly the second group's").isEqualTo("0 3");
      assertThat(session.send("tur 0")).isEqualTo("good");
      assertThat(session.send("tur 3")).isEqualTo("good");
      assertThat(session.send("tur 1")).as("no longer mapped")
          .isEqualTo("status 2 sense 5/25/00");
      assertThat(server.shell("karst:session-list")).contains(MOVER);
    }
  }

  /** MAINTENANCE IN or OUT, service action 0Ah (target port groups), with this length. */
  private static byte[] maintenance(int opcode, int length) {
    return ByteBuffer.allocate(12).put((byte) opcode).put((byte) 0x0A).putInt(2, 0)
        .putInt(6, length).array();
  }

  private static byte[] write10() {
    return new byte[] {0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0};
  }
}
