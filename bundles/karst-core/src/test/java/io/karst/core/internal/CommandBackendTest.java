package io.karst.core.internal;

import static io.karst.core.internal.TestBed.assertSense;
import static io.karst.core.internal.TestBed.cdb;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.device.Backend;
import io.karst.api.device.CommandBackend;
import io.karst.api.device.DeviceConfig;
import io.karst.api.device.DeviceHandler;
import io.karst.api.local.LocalResult;
import io.karst.api.local.LocalSession;
import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.mgmt.AttributeType;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SenseKey;
import io.karst.api.scsi.Status;
import io.karst.api.scsi.Task;
import io.karst.local.internal.LocalTargetDriver;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command-level backend: one that names its device type (an MMC unit) gets core's answers to
 * the SPC commands every logical unit shares, with its type; a pass-through one gets every
 * command.
 */
class CommandBackendTest {

  private static final String CONFIG = """
      HANDLER probe {
          DEVICE cd {
              type 5
          }
          DEVICE raw {
              type -1
          }
      }
      TARGET_DRIVER local {
          enabled 1
          TARGET t1 {
              enabled 1
              LUN 0 cd
              LUN 1 raw
          }
      }
      """;

  @TempDir
  Path dir;
  private TestBed bed;
  private final ProbeHandler handler = new ProbeHandler();
  private LocalTargetDriver driver;
  private LocalSession session;

  @BeforeEach
  void setUp() throws Exception {
    bed = new TestBed(dir, CONFIG);
    bed.engine.addHandler(handler);
    bed.engine.settle();
    driver = bed.driver;
    session = bed.session;
  }

  @AfterEach
  void tearDown() {
    bed.close();
  }

  private static LocalResult send(LocalSession s, int lun, int... cdb) throws Exception {
    return TestBed.send(s, lun, cdb(cdb), null, 255);
  }

  @Test
  void anMmcUnitIdentifiesItselfAsACdRomWithARemovableMedium() throws Exception {
    byte[] standard = send(session, 0, 0x12, 0, 0, 0, 96, 0).dataIn();
    assertThat(standard[0]).isEqualTo((byte) 0x05);
    assertThat(standard[1]).as("RMB").isEqualTo((byte) 0x80);
    assertThat(standard[4] + 5).as("no SBC version descriptor").isEqualTo(64);
    assertThat(send(session, 0, 0x12, 1, 0, 0, 96, 0).dataIn())
        .containsExactly(0x05, 0x00, 0x00, 0x04, 0x00, 0x80, 0x83, 0x86);
    byte[] extended = send(session, 0, 0x12, 1, 0x86, 0, 96, 0).dataIn();
    assertThat(extended[5]).as("the task set's attributes").isEqualTo((byte) 0x07);
    assertThat(extended[6]).as("no SBC VERIFY").isZero();
    byte[] serial = send(session, 0, 0x12, 1, 0x80, 0, 96, 0).dataIn();
    assertThat(serial[0]).isEqualTo((byte) 0x05);
    assertSense(send(session, 0, 0x12, 1, 0xB0, 0, 96, 0), Sense.INVALID_FIELD_IN_CDB);
    assertThat(handler.executed.get("cd")).as("core answered INQUIRY").isEmpty();
  }

  @Test
  void coreKeepsThePreventionOfMediumRemovalPerNexusAndTellsTheBackend() throws Exception {
    LocalSession other = driver.login("t1", "iqn.test:other");
    assertThat(send(other, 0, 0x1E, 0, 0, 0, 0x01, 0).status()).isEqualTo(Status.GOOD);
    assertThat(handler.configs.get("cd").mediumRemovalPrevented()).isTrue();
    assertThat(send(session, 0, 0x1E, 0, 0, 0, 0x00, 0).status()).isEqualTo(Status.GOOD);
    assertThat(handler.configs.get("cd").mediumRemovalPrevented())
        .as("another nexus's ALLOW leaves it").isTrue();
    other.close();
    assertThat(handler.configs.get("cd").mediumRemovalPrevented()).as("gone with its nexus")
        .isFalse();
    assertThat(send(session, 0, 0x1E, 0, 0, 0, 0x03, 0).status())
        .as("MMC's persistent prevention").isEqualTo(Status.GOOD);
    assertThat(handler.configs.get("cd").mediumRemovalPrevented()).isTrue();
    assertThat(handler.executed.get("cd")).isEmpty();
  }

  @Test
  void theRestGoesToTheBackend() throws Exception {
    assertThat(send(session, 0, 0x00, 0, 0, 0, 0, 0).status()).isEqualTo(Status.GOOD);
    assertThat(send(session, 0, 0x46, 0, 0, 0, 0, 0, 0, 0, 8, 0).status())
        .isEqualTo(Status.GOOD);
    assertThat(send(session, 0, 0xA3, 0x0C, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0).status())
        .as("REPORT SUPPORTED OPERATION CODES is the backend's").isEqualTo(Status.GOOD);
    assertThat(handler.executed.get("cd")).containsExactly(0x00, 0x46, 0xA3);
  }

  @Test
  void aMediumChangeReachesEveryNexusButNotTheMmcEventCommands() throws Exception {
    LocalSession other = driver.login("t1", "iqn.test:other");
    handler.configs.get("cd").unitAttention(0x28, 0x00);
    Sense changed = new Sense(SenseKey.UNIT_ATTENTION, 0x28, 0x00);
    assertThat(send(session, 0, 0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8, 0).status())
        .as("GET EVENT STATUS NOTIFICATION").isEqualTo(Status.GOOD);
    assertThat(send(session, 0, 0x46, 0, 0, 0, 0, 0, 0, 0, 8, 0).status())
        .as("GET CONFIGURATION").isEqualTo(Status.GOOD);
    assertSense(send(session, 0, 0x00, 0, 0, 0, 0, 0), changed);
    assertThat(send(session, 0, 0x00, 0, 0, 0, 0, 0).status()).isEqualTo(Status.GOOD);
    assertSense(send(other, 0, 0x00, 0, 0, 0, 0, 0), changed);
    other.close();
  }

  @Test
  void aPassThroughBackendExecutesEveryCommandButReportLuns() throws Exception {
    assertThat(send(session, 1, 0x12, 0, 0, 0, 96, 0).status()).isEqualTo(Status.GOOD);
    assertThat(send(session, 1, 0x1E, 0, 0, 0, 0x01, 0).status()).isEqualTo(Status.GOOD);
    assertThat(send(session, 1, 0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0).dataIn()[3])
        .isEqualTo((byte) 16);
    assertThat(handler.executed.get("raw")).containsExactly(0x12, 0x1E);
  }

  /** Devices whose backends complete every command GOOD and record its opcode. */
  private static final class ProbeHandler implements DeviceHandler {
    final Map<String, List<Integer>> executed = new ConcurrentHashMap<>();
    final Map<String, DeviceConfig> configs = new ConcurrentHashMap<>();

    @Override
    public String name() {
      return "probe";
    }

    @Override
    public List<AttributeDescriptor> deviceAttributes() {
      return List.of(AttributeDescriptor.builder("type", AttributeType.INTEGER).required()
          .build());
    }

    @Override
    public Backend open(DeviceConfig config) {
      int type = Integer.parseInt(config.attribute("type"));
      List<Integer> log = new CopyOnWriteArrayList<>();
      executed.put(config.name(), log);
      configs.put(config.name(), config);
      return new CommandBackend() {
        @Override
        public int peripheralDeviceType() {
          return type;
        }

        @Override
        public void execute(Task task) {
          log.add(task.cdb()[0] & 0xFF);
          task.complete(Status.GOOD, null);
        }

        @Override
        public void close() {}
      };
    }
  }
}
