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
import io.karst.api.scsi.SupportedOperation;
import io.karst.api.scsi.Task;
import io.karst.local.internal.LocalTargetDriver;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
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
          DEVICE listed {
              type 5
          }
          DEVICE vendor {
              type 0
          }
      }
      TARGET_DRIVER local {
          enabled 1
          TARGET t1 {
              enabled 1
              LUN 0 cd
              LUN 1 raw
              LUN 2 listed
              LUN 3 vendor
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

  /**
   * A command backend of device type 00h executes its own commands, EXTENDED COPY among them:
   * core's copy manager does not serve it, so neither the 3PC bit nor the Third-party Copy page
   * says it does.
   */
  @Test
  void aCommandBackendOfTypeZeroClaimsNoCopyManagerOfCores() throws Exception {
    byte[] standard = send(session, 3, 0x12, 0, 0, 0, 96, 0).dataIn();
    assertThat(standard[0]).isZero();
    assertThat(standard[5] & 0x08).as("3PC").isZero();
    byte[] pages = send(session, 3, 0x12, 1, 0, 0, 96, 0).dataIn();
    assertThat(pages).containsExactly(0x00, 0x00, 0x00, 0x06, 0x00, 0x80, 0x83, 0x86, 0xB0,
        0xB1);
    assertSense(send(session, 3, 0x12, 1, 0x8F, 0, 96, 0), Sense.INVALID_FIELD_IN_CDB);
    assertThat(send(session, 3, 0x83, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0).status())
        .as("EXTENDED COPY is the backend's").isEqualTo(Status.GOOD);
    assertThat(handler.executed.get("vendor")).containsExactly(0x83);
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
        .as("four LUNs").isEqualTo((byte) 32);
    assertThat(handler.executed.get("raw")).containsExactly(0x12, 0x1E);
  }

  @Test
  void coreReportsTheOperationCodesOfABackendThatListsThemWithItsOwn() throws Exception {
    ByteBuffer all = ByteBuffer.wrap(TestBed.send(session, 2,
        cdb(0xA3, 0x0C, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0), null, 4096).dataIn());
    List<String> listed = new ArrayList<>();
    for (int at = 4; at < 4 + all.getInt(0); at += 8) {
      listed.add(String.format("%02X/%d", all.get(at) & 0xFF,
          (all.get(at + 5) & 1) == 0 ? -1 : all.getShort(at + 2)));
    }
    assertThat(listed).as("core's shared commands and the backend's, in opcode order")
        .containsExactly("00/-1", "03/-1", "12/-1", "16/-1", "17/-1", "1E/-1", "46/-1",
            "56/-1", "57/-1", "5E/0", "5E/1", "5E/2", "5E/3", "5F/0", "5F/1", "5F/2", "5F/3",
            "5F/4", "5F/5", "5F/6", "5F/7", "A0/-1", "A3/12");
    byte[] getConfiguration = TestBed.send(session, 2,
        cdb(0xA3, 0x0C, 0x81, 0x46, 0, 0, 0, 0, 0, 64, 0, 0), null, 64).dataIn();
    assertThat(getConfiguration).hasSize(4 + 10 + 12);
    assertThat(getConfiguration[1]).as("CTDP, supported").isEqualTo((byte) 0x83);
    assertThat(getConfiguration[4 + 1]).isEqualTo((byte) 0x03);
    byte[] rsoc = TestBed.send(session, 2,
        cdb(0xA3, 0x0C, 2, 0xA3, 0, 0x0C, 0, 0, 0, 64, 0, 0), null, 64).dataIn();
    assertThat(rsoc[4 + 1]).as("the service action in its field").isEqualTo((byte) 0x0C);
    assertThat(TestBed.send(session, 2, cdb(0xA3, 0x0C, 1, 0x28, 0, 0, 0, 0, 0, 64, 0, 0),
        null, 64).dataIn()[1]).as("READ (10) not supported").isEqualTo((byte) 0x01);
    assertThat(handler.executed.get("listed")).isEmpty();
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
        public List<SupportedOperation> supportedOperations() {
          return config.name().equals("listed") ? List.of(
              SupportedOperation.of(0x00, 0, 0, 0, 0, 0),
              SupportedOperation.of(0x46, 0x03, 0xFF, 0xFF, 0, 0, 0, 0xFF, 0xFF, 0))
              : List.of();
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
