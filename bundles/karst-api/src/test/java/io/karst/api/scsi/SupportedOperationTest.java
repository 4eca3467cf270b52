package io.karst.api.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SupportedOperationTest {

  @Test
  void theUsageMapStartsWithTheOperationCodeAndIsNeverShared() {
    SupportedOperation read10 = SupportedOperation.of(0x28, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0,
        0xFF, 0xFF, 0);
    assertThat(read10.opcode()).isEqualTo(0x28);
    assertThat(read10.hasServiceAction()).isFalse();
    assertThat(read10.cdbLength()).isEqualTo(10);
    read10.cdbUsage()[1] = 0;
    assertThat(read10.cdbUsage()[1]).as("a copy each time").isEqualTo((byte) 0x18);
    assertThat(read10).isEqualTo(SupportedOperation.of(0x28, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0,
        0xFF, 0xFF, 0)).hasToString("28h");
    SupportedOperation rsoc = SupportedOperation.withServiceAction(0x0C, 0xA3, 0x1F, 0x87, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0);
    assertThat(rsoc.hasServiceAction()).isTrue();
    assertThat(rsoc).isNotEqualTo(SupportedOperation.withServiceAction(0x0A, 0xA3, 0x1F, 0x87,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0)).hasToString("A3h/0Ch");
  }

  @Test
  void aMapThatIsNotACdbIsRefused() {
    assertThatThrownBy(() -> SupportedOperation.of(0x00, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole CDB");
    assertThatThrownBy(() -> new SupportedOperation(0x28, -1, new byte[] {0x2A, 0, 0, 0, 0, 0}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("start with it");
    assertThatThrownBy(() -> SupportedOperation.withServiceAction(0x10000, 0x9E, 0, 0, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
  }
}
