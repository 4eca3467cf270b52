package io.karst.core.internal;

import static io.karst.core.internal.TestBed.assertSense;
import static io.karst.core.internal.TestBed.cdb;
import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.local.LocalResult;
import io.karst.api.scsi.Sense;
import io.karst.api.scsi.SupportedOperation;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SupportedOperationsTest extends BedTest {

  private static byte[] rsoc(int options, int opcode, int action, int allocation) {
    return cdb(0xA3, 0x0C, options, opcode, action >> 8, action, allocation >> 24,
        allocation >> 16, allocation >> 8, allocation, 0, 0);
  }

  @Test
  void theTableListsExactlyTheCommandsThatAreExecuted() throws Exception {
    Set<Integer> listed = new TreeSet<>();
    SupportedOperations.BLOCK.forEach(o -> listed.add(o.opcode()));
    Set<Integer> executed = new TreeSet<>();
    for (int i = 0; i < 256; i++) {
      final int opcode = i;
      int length = Cdb.length(opcode);
      if (length == 0) {
        continue;
      }
      byte[] c = new byte[length];
      c[0] = (byte) opcode;
      Integer action = SupportedOperations.BLOCK.stream().filter(o -> o.opcode() == opcode
          && o.serviceAction() >= 0).map(SupportedOperation::serviceAction)
          .findFirst().orElse(null);
      if (action != null) {
        c[1] = (byte) (int) action;
      }
      LocalResult r = bed.send(0, c, null, 4096);
      boolean unsupported = r.sense() != null
          && r.sense().asc() == Sense.INVALID_COMMAND_OPERATION_CODE.asc();
      if (!unsupported) {
        executed.add(opcode);
      }
    }
    assertThat(executed).isEqualTo(listed);
  }

  @Test
  void allCommandsWithAndWithoutTimeouts() throws Exception {
    ByteBuffer plain = ByteBuffer.wrap(bed.send(0, rsoc(0, 0, 0, 8192), null, 8192).dataIn());
    int n = SupportedOperations.BLOCK.size();
    assertThat(plain.getInt(0)).isEqualTo(8 * n);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < n; i++) {
      seen.add(plain.get(4 + 8 * i) & 0xFF);
    }
    assertThat(seen).contains(0x28, 0x2A, 0x9E, 0xA3, 0x5E);
    ByteBuffer timed =
        ByteBuffer.wrap(bed.send(0, rsoc(0x80, 0, 0, 8192), null, 8192).dataIn());
    assertThat(timed.getInt(0)).isEqualTo(20 * n);
    assertThat(timed.get(4 + 5) & 0x02).isEqualTo(0x02);
  }

  @Test
  void oneCommand() throws Exception {
    byte[] read10 = bed.send(0, rsoc(1, 0x28, 0, 512), null, 512).dataIn();
    assertThat(read10[1] & 0x07).isEqualTo(3);
    assertThat(ByteBuffer.wrap(read10).getShort(2)).isEqualTo((short) 10);
    assertThat(read10[4] & 0xFF).isEqualTo(0x28);
    byte[] rc16 = bed.send(0, rsoc(2, 0x9E, 0x10, 512), null, 512).dataIn();
    assertThat(rc16[1] & 0x07).isEqualTo(3);
    assertThat(rc16).hasSize(4 + 16);
    byte[] missing = bed.send(0, rsoc(1, 0xC1, 0, 512), null, 512).dataIn();
    assertThat(missing[1] & 0x07).isEqualTo(1);
    assertSense(bed.send(0, rsoc(1, 0x9E, 0, 512), null, 512), Sense.INVALID_FIELD_IN_CDB);
    assertSense(bed.send(0, rsoc(2, 0x28, 0, 512), null, 512), Sense.INVALID_FIELD_IN_CDB);
    assertSense(bed.send(0, rsoc(5, 0x28, 0, 512), null, 512), Sense.INVALID_FIELD_IN_CDB);
  }
}
