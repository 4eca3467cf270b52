package io.karst.vcdrom.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SupportedOperation;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class OperationCodesTest extends DriveTest {

  @Test
  void theTableListsExactlyTheCommandsTheDriveExecutes() throws Exception {
    Set<Integer> listed = new TreeSet<>();
    OperationCodes.MMC.forEach(o -> listed.add(o.opcode()));
    // MAINTENANCE IN comes here for the service actions that are not core's, and is refused
    // with INVALID FIELD IN CDB: core answers REPORT SUPPORTED OPERATION CODES.
    listed.add(CdromBackend.MAINTENANCE_IN);
    Set<Integer> executed = new TreeSet<>();
    for (int opcode = 0; opcode < 256; opcode++) {
      byte[] cdb = new byte[16];
      cdb[0] = (byte) opcode;
      FakeTask t = exec(cdb, null);
      if (t.sense() == null
          || t.sense().asc() != Sense.INVALID_COMMAND_OPERATION_CODE.asc()) {
        executed.add(opcode);
      }
    }
    assertThat(executed).isEqualTo(listed);
  }

  @Test
  void everyUsageMapIsAsLongAsItsCdbAndHasNoServiceAction() {
    for (SupportedOperation o : OperationCodes.MMC) {
      int expected = switch (o.opcode() >>> 5) {
        case 0 -> 6;
        case 1, 2 -> 10;
        case 4 -> 16;
        default -> 12;
      };
      assertThat(o.cdbLength()).as("%s", o).isEqualTo(expected);
      assertThat(o.hasServiceAction()).as("%s", o).isFalse();
      assertThat(o.cdbUsage()[o.cdbLength() - 1]).as("%s: CONTROL", o)
          .isIn((byte) 0, (byte) 0xC0);
    }
  }

  @Test
  void theDriveListsItsTable() {
    assertThat(drive.supportedOperations()).isSameAs(OperationCodes.MMC);
  }
}
