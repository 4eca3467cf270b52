package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The target's NOP-In keepalive (RFC 7143 11.19) with the driver's own idle timer: time is the
 * embedded event loop's, advanced by the test.
 */
class KeepaliveTest {

  private final FakeCore core = new FakeCore(FakeCore.settings("nop_in_interval", "10",
      "nop_in_timeout", "4"));
  private final Initiator initiator = new Initiator(core);
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final Logger nopLogger = Logger.getLogger(NopHandler.class.getName());
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      log.add(r.getMessage());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  @BeforeEach
  void login() {
    nopLogger.addHandler(capture);
    assertThat(initiator.loginNormal("iqn.2026-11.test:disk").u16(36)).isZero();
  }

  @AfterEach
  void removeCapture() {
    nopLogger.removeHandler(capture);
  }

  private void advance(int seconds) {
    initiator.channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
    initiator.channel.runScheduledPendingTasks();
  }

  private Pdu ping() {
    List<Pdu> out = initiator.drain();
    assertThat(out).hasSize(1);
    Pdu ping = out.get(0);
    assertThat(ping.opcode()).isEqualTo(Opcode.NOP_IN);
    assertThat(ping.itt()).isEqualTo(Pdu.RESERVED_TAG);
    assertThat(ping.ttt()).isNotEqualTo(Pdu.RESERVED_TAG);
    return ping;
  }

  private void answer(Pdu ping) {
    var pong = Initiator.bhs(0x40 | 0x40, 0x80, Pdu.RESERVED_TAG);
    pong.setInt(20, ping.ttt());
    pong.setLong(8, ping.u64(8));
    pong.setInt(24, initiator.cmdSN);
    initiator.send(pong, new byte[0]);
  }

  @Test
  void silenceBringsAPingAndAnAnsweringInitiatorKeepsItsSession() {
    advance(9);
    assertThat(initiator.drain()).as("no ping before nop_in_interval").isEmpty();
    advance(1);
    Pdu first = ping();
    advance(3);
    answer(first);
    assertThat(initiator.drain()).as("the answer is not answered").isEmpty();
    for (int round = 0; round < 5; round++) {
      advance(10);
      Pdu next = ping();
      assertThat(next.ttt()).as("each ping its own tag").isNotEqualTo(first.ttt());
      answer(next);
      advance(4);
      assertThat(initiator.channel.isOpen()).isTrue();
    }
    assertThat(core.closed).isFalse();
    assertThat(log).isEmpty();
  }

  @Test
  void trafficPostponesThePing() {
    advance(8);
    initiator.command(3, 0xC0, 1, 512, new byte[0]);
    assertThat(initiator.drain()).hasSize(1);
    advance(8);
    assertThat(initiator.drain()).as("the command was traffic").isEmpty();
    advance(2);
    ping();
  }

  @Test
  void anInitiatorThatDoesNotAnswerLosesItsConnectionWithALogLine() {
    advance(10);
    Pdu p = ping();
    advance(3);
    // An answer with another tag is not the answer.
    var wrong = Initiator.bhs(0x40 | 0x40, 0x80, Pdu.RESERVED_TAG);
    wrong.setInt(20, p.ttt() + 1);
    initiator.send(wrong, new byte[0]);
    assertThat(initiator.channel.isOpen()).isTrue();
    advance(1);
    assertThat(initiator.channel.isOpen()).isFalse();
    assertThat(core.closed).as("the nexus ends with the connection").isTrue();
    assertThat(log).singleElement().asString()
        .contains("iqn.2026-11.test:initiator", "no answer to NOP-In in 4 s; closing the connection");
  }

  @Test
  void aTargetsNopInIntervalAndTimeoutOverrideTheDrivers() {
    core.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:quick", true, true,
        java.util.Map.of("NopInInterval", "3", "NopInTimeout", "2")));
    Initiator quick = initiator.port(2);
    assertThat(quick.loginNormal("iqn.2026-11.test:quick").u16(36)).isZero();
    quick.channel.advanceTimeBy(3, TimeUnit.SECONDS);
    quick.channel.runScheduledPendingTasks();
    assertThat(quick.drain()).extracting(Pdu::opcode).containsExactly(Opcode.NOP_IN);
    quick.channel.advanceTimeBy(2, TimeUnit.SECONDS);
    quick.channel.runScheduledPendingTasks();
    assertThat(quick.channel.isOpen()).isFalse();
    assertThat(log).singleElement().asString().contains("no answer to NOP-In in 2 s");
    assertThat(initiator.channel.isOpen()).as("the driver's 10 s elsewhere").isTrue();
  }

  @Test
  void aWriteWhoseInitiatorStopsSendingDataOutClosesTheConnectionAfterRspTimeout() {
    Logger taskLogger = Logger.getLogger(IscsiTask.class.getName());
    taskLogger.addHandler(capture);
    try {
      core.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:rsp", true, true,
          java.util.Map.of("RspTimeout", "10", "NopInInterval", "0")));
      Initiator w = initiator.port(3);
      assertThat(w.loginNormal("iqn.2026-11.test:rsp").u16(36)).isZero();
      w.command(5, 0xA0, 32, 32 * 512, new byte[0]);
      List<Pdu> r2ts = w.drain();
      assertThat(r2ts).extracting(Pdu::opcode).containsOnly(Opcode.R2T);
      Pdu r2t = r2ts.get(0);
      for (int i = 0; i < 4; i++) {
        // A Data-Out every 5 s keeps the task alive.
        w.channel.advanceTimeBy(5, TimeUnit.SECONDS);
        w.channel.runScheduledPendingTasks();
        w.dataOut(5, r2t.ttt(), i, r2t.u32(40) + i * 512, new byte[512], false);
        assertThat(w.channel.isOpen()).isTrue();
      }
      for (int i = 0; i < 2; i++) {
        w.channel.advanceTimeBy(5, TimeUnit.SECONDS);
        w.channel.runScheduledPendingTasks();
      }
      assertThat(w.channel.isOpen()).as("10 s of silence").isTrue();
      w.channel.advanceTimeBy(5, TimeUnit.SECONDS);
      w.channel.runScheduledPendingTasks();
      assertThat(w.channel.isOpen()).as("15 s of silence").isFalse();
      assertThat(log).anySatisfy(l -> assertThat(l).contains("no Data-Out for task 0x5 in 10 s"));
      assertThat(initiator.channel.isOpen()).isTrue();
    } finally {
      taskLogger.removeHandler(capture);
    }
  }
}
