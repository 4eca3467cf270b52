package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommandWindowTest {

  @Test
  void serialNumbersWrap() {
    assertThat(CommandWindow.before(0xFFFFFFFF, 0)).isTrue();
    assertThat(CommandWindow.before(0, 0xFFFFFFFF)).isFalse();
    assertThat(CommandWindow.before(5, 5)).isFalse();
  }

  @Test
  void theWindowClosesWhenCoreHoldsTheDepthAndNeverShrinks() {
    CommandWindow w = new CommandWindow(0xFFFFFFFE, 2);
    assertThat(w.maxCmdSN()).isEqualTo(0xFFFFFFFF);
    assertThat(w.expected(0xFFFFFFFE)).isTrue();
    assertThat(w.ahead(0xFFFFFFFF)).isTrue();
    assertThat(w.ahead(0)).isFalse();
    for (int i = 0; i < 2; i++) {
      w.advance();
      w.started();
    }
    assertThat(w.expCmdSN()).isZero();
    assertThat(w.maxCmdSN()).as("closed: ExpCmdSN - 1").isEqualTo(0xFFFFFFFF);
    assertThat(w.expected(0)).as("beyond MaxCmdSN").isFalse();
    w.finished();
    assertThat(w.maxCmdSN()).isZero();
    assertThat(w.expected(0)).isTrue();
  }
}
