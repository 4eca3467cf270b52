package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.scsi.TaskManagementResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Several sessions of one initiator on one driver (RFC 7143 6.3.5): a login with the ISID of a
 * live session reinstates it, one with another ISID adds a session beside it.
 */
class SessionReinstatementTest {

  private final FakeCore core = new FakeCore(FakeCore.settings());
  private final Initiator first = new Initiator(core);
  private final IscsiService service = first.connection.service;

  /** A write that waits for its Data-Out: a task core has not answered. */
  private void pendingWrite(Initiator i) {
    i.command(11, 0xA0, 8, 8 * 512, new byte[0]);
    assertThat(i.drain()).extracting(Pdu::opcode).containsExactly(Opcode.R2T);
  }

  @Test
  void aLoginWithTheSameIsidEndsTheOldSessionBeforeItIsAdmitted() {
    assertThat(first.loginNormal("iqn.2026-11.test:disk").u16(36)).isZero();
    int oldTsih = first.connection.session().tsih;
    pendingWrite(first);
    CompletableFuture<TaskManagementResponse> abort = new CompletableFuture<>();
    core.tmf = abort;

    Initiator again = first.port(1);
    again.send(again.login(0x83), Initiator.text("InitiatorName=iqn.2026-11.test:initiator",
        "TargetName=iqn.2026-11.test:disk", "AuthMethod=None"));
    assertThat(core.managed).as("the old session's tasks are aborted")
        .containsExactly("ABORT_TASK_SET:0:0");
    assertThat(again.drain()).as("no answer while the old tasks may touch the medium")
        .isEmpty();
    assertThat(first.channel.isOpen()).isTrue();
    assertThat(core.closed).isFalse();

    abort.complete(TaskManagementResponse.FUNCTION_COMPLETE);
    assertThat(first.channel.isOpen()).as("the old connection is closed").isFalse();
    assertThat(core.closed).as("the old nexus ended").isTrue();
    Pdu response = again.read();
    assertThat(response.opcode()).isEqualTo(Opcode.LOGIN_RESPONSE);
    assertThat(response.u16(36)).isZero();
    assertThat(response.u16(14)).isNotZero().isNotEqualTo(oldTsih);
    assertThat(again.connection.session()).isNotNull();
    assertThat(core.initiators).hasSize(2);
    assertThat(core.nexusLosses).as("the new session continues the lost nexus").isEqualTo(1);
  }

  @Test
  void anIdleSessionIsReinstatedAtOnce() {
    first.loginNormal("iqn.2026-11.test:disk");
    Initiator again = first.port(1);
    assertThat(again.loginNormal("iqn.2026-11.test:disk").u16(36)).isZero();
    assertThat(core.managed).as("nothing to abort").isEmpty();
    assertThat(first.channel.isOpen()).isFalse();
    assertThat(service.connections()).containsExactly(again.connection);
    assertThat(core.nexusLosses).isEqualTo(1);
  }

  @Test
  void otherIsidsTargetsAndDiscoveryCoexist() {
    first.loginNormal("iqn.2026-11.test:disk");
    Initiator second = first.port(2);
    assertThat(second.loginNormal("iqn.2026-11.test:disk").u16(36)).isZero();
    Initiator discovery = first.port(1);
    discovery.send(discovery.login(0x87), Initiator.text("InitiatorName=iqn.2026-11.test:initiator",
        "SessionType=Discovery"));
    assertThat(discovery.read().u16(36)).isZero();
    assertThat(List.of(first, second, discovery)).allSatisfy(i ->
        assertThat(i.channel.isOpen()).isTrue());
    assertThat(core.closed).isFalse();
    assertThat(core.nexusLosses).as("no nexus was lost").isZero();
    // Both sessions serve commands.
    for (Initiator i : List.of(first, second)) {
      i.command(5, 0xC0, 1, 512, new byte[0]);
      assertThat(i.drain()).extracting(Pdu::opcode).containsExactly(Opcode.DATA_IN);
    }
  }

  @Test
  void aPduBeforeTheFinalResponseClosesTheWaitingLogin() {
    first.loginNormal("iqn.2026-11.test:disk");
    pendingWrite(first);
    core.tmf = new CompletableFuture<>();
    Initiator again = first.port(1);
    again.send(again.login(0x83), Initiator.text("InitiatorName=iqn.2026-11.test:initiator",
        "TargetName=iqn.2026-11.test:disk", "AuthMethod=None"));
    again.command(5, 0xC0, 1, 512, new byte[0]);
    assertThat(again.channel.isOpen()).isFalse();
    core.tmf.toCompletableFuture().complete(TaskManagementResponse.FUNCTION_COMPLETE);
    assertThat(first.channel.isOpen()).isFalse();
    assertThat(again.drain()).isEmpty();
  }
}
