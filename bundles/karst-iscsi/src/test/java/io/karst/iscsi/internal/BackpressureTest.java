package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelOutboundBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Backpressure on the embedded pipeline: the channel's writability is switched as a full
 * socket buffer switches it, and reading follows.
 */
class BackpressureTest {

  private final FakeCore core = new FakeCore(FakeCore.settings());
  private final Initiator initiator = new Initiator(core);

  /** Sets the writability as the outbound buffer's water marks would; Netty tells later. */
  private void writable(boolean writable) {
    ChannelOutboundBuffer outbound = initiator.channel.unsafe().outboundBuffer();
    outbound.setUserDefinedWritability(1, writable);
    initiator.channel.runPendingTasks();
  }

  private boolean reading() {
    return initiator.channel.config().isAutoRead();
  }

  @Test
  void anInitiatorThatDoesNotReadStopsBeingReadUntilItCatchesUp() {
    writable(false);
    assertThat(reading()).as("during login too").isFalse();
    writable(true);
    assertThat(reading()).isTrue();

    assertThat(initiator.loginNormal("iqn.2026-11.test:disk").u16(36)).isZero();
    writable(false);
    assertThat(reading()).isFalse();
    writable(true);
    assertThat(reading()).isTrue();
    initiator.command(7, 0xC0, 1, 512, new byte[0]);
    List<Pdu> answer = initiator.drain();
    assertThat(answer).extracting(Pdu::opcode).containsExactly(Opcode.DATA_IN);
  }

  @Test
  void aConnectionThatStoppedReadingForGoodStaysStopped() throws Exception {
    assertThat(initiator.loginNormal("iqn.2026-11.test:disk").u16(36)).isZero();
    writable(false);
    initiator.connection.stopReading().get();
    writable(true);
    assertThat(reading()).isFalse();
  }
}
