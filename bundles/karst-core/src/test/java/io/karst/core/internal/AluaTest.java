package io.karst.core.internal;

import static io.karst.core.internal.TestBed.assertSense;
import static io.karst.core.internal.TestBed.cdb;
import static io.karst.core.internal.TestBed.read10;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.local.LocalResult;
import io.karst.api.local.LocalSession;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseKey;
import io.karst.api.scsi.Status;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** ALUA: device groups, target port groups, their states, RTPG and STPG. */
class AluaTest extends BedTest {

  private static final Sense STANDBY = new Sense(SenseKey.NOT_READY, 0x04, 0x0B);
  private static final Sense UNAVAILABLE = new Sense(SenseKey.NOT_READY, 0x04, 0x0C);

  @Override
  String config() {
    return """
        HANDLER memory {
            DEVICE disk0 {
                size 1M
            }
            DEVICE disk1 {
                size 64K
            }
        }
        TARGET_DRIVER local {
            enabled 1
            TARGET t1 {
                enabled 1
                LUN 0 disk0
                LUN 1 disk1
            }
            TARGET t2 {
                enabled 1
                rel_tgt_id 7
                LUN 0 disk0
            }
        }
        DEVICE_GROUP dg {
            DEVICE disk0
            TARGET_GROUP here {
                group_id 1
                state active
                preferred 1
                TARGET t1
            }
            TARGET_GROUP there {
                group_id 2
                state standby
                TARGET t2
                TARGET iqn.2026-11.io.karst:peer {
                    rel_tgt_id 9
                }
            }
        }
        """;
  }

  private static byte[] rtpg(boolean extended) {
    return cdb(0xA3, 0x0A | (extended ? 0x20 : 0), 0, 0, 0, 0, 0, 0, 1, 0, 0, 0);
  }

  private static byte[] stpg(int length) {
    return cdb(0xA4, 0x0A, 0, 0, 0, 0, 0, 0, 0, length, 0, 0);
  }

  private static byte[] descriptors(int... stateAndGroup) {
    ByteBuffer b = ByteBuffer.allocate(4 + 2 * stateAndGroup.length);
    b.putInt(0);
    for (int i = 0; i < stateAndGroup.length; i += 2) {
      b.put((byte) stateAndGroup[i]).put((byte) 0).putShort((short) stateAndGroup[i + 1]);
    }
    return b.array();
  }

  @Test
  void inquiryReportsAsymmetricAccessOnlyForDevicesInAGroup() throws Exception {
    byte[] grouped = bed.send(0, cdb(0x12, 0, 0, 0, 96, 0), null, 96).dataIn();
    byte[] plain = bed.send(1, cdb(0x12, 0, 0, 0, 96, 0), null, 96).dataIn();
    assertThat(grouped[5] & 0x30).as("TPGS: implicit and explicit").isEqualTo(0x30);
    assertThat(plain[5] & 0x30).isZero();
  }

  @Test
  void deviceIdentificationNamesThePortAndItsGroup() throws Exception {
    byte[] page = bed.send(0, cdb(0x12, 1, 0x83, 1, 0, 0), null, 256).dataIn();
    ByteBuffer b = ByteBuffer.wrap(page);
    int relative = -1;
    int group = -1;
    for (int at = 4; at + 4 <= page.length; at += 4 + (page[at + 3] & 0xFF)) {
      int association = (page[at + 1] >> 4) & 0x03;
      int type = page[at + 1] & 0x0F;
      if (association == 1 && type == 4) {
        relative = b.getShort(at + 6);
      } else if (association == 1 && type == 5) {
        group = b.getShort(at + 6);
      }
    }
    assertThat(relative).as("t1's relative port, assigned from 1").isEqualTo(1);
    assertThat(group).isEqualTo(1);
  }

  @Test
  void reportTargetPortGroupsListsEveryGroupWithStateAndPorts() throws Exception {
    LocalResult r = bed.send(0, rtpg(false), null, 256);
    assertThat(r.status()).isEqualTo(Status.GOOD);
    ByteBuffer b = ByteBuffer.wrap(r.dataIn());
    assertThat(b.getInt(0)).isEqualTo(8 + 4 + 8 + 8);
    assertThat(b.get(4) & 0xFF).as("preferred, active/optimized").isEqualTo(0x80);
    assertThat(b.getShort(6)).isEqualTo((short) 1);
    assertThat(b.get(11)).as("ports").isEqualTo((byte) 1);
    assertThat(b.getShort(14)).isEqualTo((short) 1);
    assertThat(b.get(16) & 0x0F).as("standby").isEqualTo(2);
    assertThat(b.getShort(18)).isEqualTo((short) 2);
    assertThat(b.get(23)).isEqualTo((byte) 2);
    assertThat(b.getShort(26)).isEqualTo((short) 7);
    assertThat(b.getShort(30)).as("a port of another node").isEqualTo((short) 9);

    ByteBuffer extended = ByteBuffer.wrap(bed.send(0, rtpg(true), null, 256).dataIn());
    assertThat(extended.getInt(0)).isEqualTo(4 + 8 + 4 + 8 + 8);
    assertThat(extended.get(4)).as("format type 1").isEqualTo((byte) 0x10);
    assertThat(extended.getShort(10)).isEqualTo((short) 1);
  }

  @Test
  void aStandbyPortRefusesMediumAccessButAnswersInquiriesAndCapacity() throws Exception {
    try (LocalSession s = bed.driver.login("t2", "iqn.test:other-path")) {
      assertSense(TestBed.send(s, 0, read10(0, 1), null, 512), STANDBY);
      assertSense(TestBed.send(s, 0, TestBed.write10(0, 1), new byte[512], 0), STANDBY);
      assertThat(TestBed.send(s, 0, cdb(0x12, 0, 0, 0, 96, 0), null, 96).status())
          .isEqualTo(Status.GOOD);
      assertThat(TestBed.send(s, 0, cdb(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0), null, 8).status())
          .isEqualTo(Status.GOOD);
      assertThat(TestBed.send(s, 0, rtpg(false), null, 256).status()).isEqualTo(Status.GOOD);
    }
    assertThat(bed.send(0, read10(0, 1), null, 512).status()).isEqualTo(Status.GOOD);
  }

  @Test
  void setTargetPortGroupsMovesTheActivePathAndRecordsWhy() throws Exception {
    LocalResult set = bed.send(0, stpg(12), descriptors(0x02, 1, 0x00, 2), 0);
    assertThat(set.status()).isEqualTo(Status.GOOD);
    assertSense(bed.send(0, read10(0, 1), null, 512), STANDBY);
    try (LocalSession s = bed.driver.login("t2", "iqn.test:other-path")) {
      assertThat(TestBed.send(s, 0, read10(0, 1), null, 512).status()).isEqualTo(Status.GOOD);
      ByteBuffer b = ByteBuffer.wrap(TestBed.send(s, 0, rtpg(false), null, 256).dataIn());
      assertThat(b.get(4) & 0x8F).as("preferred stays, now standby").isEqualTo(0x82);
      assertThat(b.get(9)).as("altered by SET TARGET PORT GROUPS").isEqualTo((byte) 1);
      assertThat(b.get(16) & 0x0F).isZero();
      assertThat(TestBed.send(s, 0, stpg(8), descriptors(0x03, 1), 0).status())
          .isEqualTo(Status.GOOD);
    }
    assertSense(bed.send(0, read10(0, 1), null, 512),
        UnitAttention.ASYMMETRIC_ACCESS_STATE_CHANGED);
    assertSense(bed.send(0, read10(0, 1), null, 512), UNAVAILABLE);
    assertThat(bed.send(0, cdb(0x03, 0, 0, 0, 18, 0), null, 18).status())
        .as("REQUEST SENSE stays allowed").isEqualTo(Status.GOOD);
  }

  @Test
  void managementMakesImplicitTransitionsAndListsTheGroups() throws Exception {
    bed.engine.targetGroupState("dg", "here", "unavailable");
    assertSense(bed.send(0, read10(0, 1), null, 512),
        UnitAttention.ASYMMETRIC_ACCESS_STATE_CHANGED);
    assertSense(bed.send(0, read10(0, 1), null, 512), UNAVAILABLE);
    bed.engine.targetGroupState("dg", "here", "unavailable");
    assertSense(bed.send(0, read10(0, 1), null, 512), UNAVAILABLE);
    ByteBuffer b = ByteBuffer.wrap(bed.send(0, rtpg(false), null, 256).dataIn());
    assertThat(b.get(9)).as("altered implicitly").isEqualTo((byte) 2);
    assertThat(bed.engine.deviceGroups()).singleElement().satisfies(d -> {
      assertThat(d.devices()).containsExactly("disk0");
      assertThat(d.targetGroups()).extracting(g -> g.name() + ":" + g.state())
          .containsExactly("here:unavailable", "there:standby");
      assertThat(d.targetGroups().get(1).targets()).extracting(t -> t.relativeTargetPortId())
          .containsExactly(7, 9);
    });
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> bed.engine.targetGroupState("dg", "here", "asleep"))
        .hasMessageStartingWith("state asleep is not one of active");
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> bed.engine.targetGroupState("dg", "nowhere", "active"))
        .hasMessage("no target group nowhere in device group dg");
  }

  @Test
  void aBadDescriptorChangesNothing() throws Exception {
    assertSense(bed.send(0, stpg(12), descriptors(0x00, 2, 0x0E, 1), 0),
        Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    assertSense(bed.send(0, stpg(12), descriptors(0x00, 2, 0x01, 99), 0),
        Sense.INVALID_FIELD_IN_PARAMETER_LIST);
    assertSense(bed.send(0, stpg(6), new byte[6], 0), Sense.PARAMETER_LIST_LENGTH_ERROR);
    ByteBuffer b = ByteBuffer.wrap(bed.send(0, rtpg(false), null, 256).dataIn());
    assertThat(b.get(16) & 0x0F).as("still standby").isEqualTo(2);
  }

  @Test
  void aDeviceOutsideEveryGroupHasNoTargetPortGroups() throws Exception {
    assertSense(bed.send(1, rtpg(false), null, 256), Sense.INVALID_FIELD_IN_CDB);
    assertSense(bed.send(1, stpg(8), descriptors(0, 1), 0), Sense.INVALID_COMMAND_OPERATION_CODE);
  }

  @Test
  void supportedOperationsFollowTheLun() throws Exception {
    byte[] one = cdb(0xA3, 0x0C, 0x02, 0xA4, 0, 0x0A, 0, 0, 0, 64, 0, 0);
    assertThat(bed.send(0, one, null, 64).dataIn()[1] & 0x07).as("supported").isEqualTo(3);
    assertThat(bed.send(1, one, null, 64).dataIn()[1] & 0x07).as("not supported").isEqualTo(1);
  }
}
