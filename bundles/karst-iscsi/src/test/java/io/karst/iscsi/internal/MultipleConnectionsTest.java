package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.target.SessionDetails;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several connections in one session (RFC 7143 3.4, 6.3.1): a login with the session's ISID
 * and TSIH adds a connection; commands of all connections share one CmdSN order and window;
 * each task stays on its connection (4.2.3); each connection numbers its own status; Logout
 * closes one connection or the session.
 */
class MultipleConnectionsTest {

  private static final String TARGET = "iqn.2026-11.test:disk";

  private final FakeCore core = new FakeCore(FakeCore.settings());
  private final Initiator first = new Initiator(core);
  private final IscsiService service = first.connection.service;
  private int tsih;
  private int cmdSN = 1;

  @BeforeEach
  void leadingLogin() {
    core.behaviour = FakeCore::block;
    Pdu r = login(first, 0, 0, "MaxConnections=4");
    assertThat(r.u16(36)).isZero();
    assertThat(Initiator.keys(r)).containsEntry("MaxConnections", "4");
    tsih = r.u16(14);
  }

  /** Logs in with this TSIH and CID, the session's CmdSN, and the usual keys plus more. */
  private Pdu login(Initiator i, int tsih, int cid, String... more) {
    i.cmdSN = cmdSN;
    ByteBuf b = i.login(0x83);
    b.setShort(14, tsih);
    b.setShort(20, cid);
    return i.loginNormal(b, TARGET, more);
  }

  private Initiator join(int cid) {
    Initiator i = new Initiator(core, service);
    Pdu r = login(i, tsih, cid);
    assertThat(r.u16(36)).as("login status").isZero();
    return i;
  }

  /** READ (10) or WRITE (10) of {@code blocks} at {@code lba}, with the next CmdSN. */
  private void command(Initiator i, int sn, int itt, boolean write, int lba, int blocks,
      byte[] immediate) {
    ByteBuf b = Initiator.bhs(0x01, 0x80 | (write ? 0x20 : 0x40), itt);
    b.setInt(20, blocks * 512);
    b.setInt(24, sn);
    b.setByte(32, write ? 0x2A : 0x28);
    b.setInt(34, lba);
    b.setShort(39, blocks);
    i.send(b, immediate);
  }

  private void logout(Initiator i, int sn, int reason, int cid) {
    ByteBuf b = Initiator.bhs(0x06, 0x80 | reason, 0x77);
    b.setShort(20, cid);
    b.setInt(24, sn);
    i.send(b, new byte[0]);
  }

  private void nop(Initiator i, int sn) {
    ByteBuf b = Initiator.bhs(0x00, 0x80, 0x55);
    b.setInt(20, -1);
    b.setInt(24, sn);
    i.send(b, new byte[0]);
  }

  @Test
  void aLoginWithTheSessionsTsihAddsAConnection() {
    Initiator second = new Initiator(core, service);
    Pdu r = login(second, tsih, 1, "MaxConnections=8", "DefaultTime2Wait=7");
    assertThat(r.u16(36)).isZero();
    assertThat(r.u16(14)).as("the session's TSIH").isEqualTo(tsih);
    assertThat(Initiator.keys(r)).as("leading-only keys are the session's")
        .containsEntry("MaxConnections", "Irrelevant")
        .containsEntry("DefaultTime2Wait", "Irrelevant")
        .containsEntry("MaxRecvDataSegmentLength", "8192");
    assertThat(second.connection.params().defaultTime2Wait).isEqualTo(2);
    assertThat(second.connection.params().maxConnections).isEqualTo(4);
    assertThat(second.connection.session()).isSameAs(first.connection.session());
    assertThat(first.connection.session().connections())
        .containsExactly(first.connection, second.connection);
    assertThat(core.initiators).as("one nexus").hasSize(1);
  }

  @Test
  void commandsOfAllConnectionsAreDeliveredInCmdSnOrderEachAnsweredOnItsOwn() {
    Initiator second = join(1);
    command(second, 2, 21, false, 10, 1, new byte[0]);
    assertThat(second.drain()).as("CmdSN 2 waits for 1").isEmpty();
    assertThat(core.tasks).isEmpty();
    command(first, 1, 11, false, 0, 1, new byte[0]);
    assertThat(core.tasks).extracting(t -> t.tag).as("core gets them in CmdSN order")
        .containsExactly(11L, 21L);
    Pdu a = first.drain().get(0);
    Pdu b = second.drain().get(0);
    assertThat(a.itt()).isEqualTo(11);
    assertThat(b.itt()).isEqualTo(21);
    assertThat(a.u32(28)).as("ExpCmdSN, one window").isEqualTo(2);
    assertThat(b.u32(28)).as("ExpCmdSN, one window").isEqualTo(3);

    // Each connection numbers its own status.
    int statSnA = a.u32(24);
    int statSnB = b.u32(24);
    nop(first, 3);
    nop(second, 4);
    assertThat(first.read().u32(24)).isEqualTo(statSnA + 1);
    assertThat(second.read().u32(24)).isEqualTo(statSnB + 1);
  }

  @Test
  void writesOnEachConnectionGetTheirR2tsThereAndReadBackOnTheOther() {
    Initiator second = join(1);
    byte[] one = FakeCore.patterned(16 * 512);
    byte[] two = new byte[16 * 512];
    Arrays.fill(two, (byte) 0x5A);
    command(first, 1, 11, true, 0, 16, Arrays.copyOf(one, 1024));
    command(second, 2, 21, true, 100, 16, Arrays.copyOf(two, 1024));
    for (var w : List.of(Map.entry(first, one), Map.entry(second, two))) {
      Initiator i = w.getKey();
      byte[] data = w.getValue();
      int itt = i == first ? 11 : 21;
      List<Pdu> r2ts = i.drain();
      assertThat(r2ts).isNotEmpty().allSatisfy(p -> {
        assertThat(p.opcode()).isEqualTo(Opcode.R2T);
        assertThat(p.itt()).as("R2T on the command's connection").isEqualTo(itt);
      });
      for (Pdu r2t : r2ts) {
        int offset = r2t.u32(40);
        int length = r2t.u32(44);
        i.dataOut(itt, r2t.u32(20), 0, offset, Arrays.copyOfRange(data, offset, offset + length),
            true);
      }
      Pdu status = i.drain().get(0);
      assertThat(status.opcode()).isEqualTo(Opcode.SCSI_RESPONSE);
      assertThat(status.itt()).isEqualTo(itt);
      assertThat(status.u8(3)).isZero();
    }
    // Read back crosswise: what was written on one connection, read on the other.
    command(second, 3, 22, false, 0, 16, new byte[0]);
    command(first, 4, 12, false, 100, 16, new byte[0]);
    assertThat(readData(second)).isEqualTo(one);
    assertThat(readData(first)).isEqualTo(two);
  }

  private static byte[] readData(Initiator i) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (Pdu p : i.drain()) {
      assertThat(p.opcode()).isEqualTo(Opcode.DATA_IN);
      byte[] b = new byte[p.dataLength()];
      p.data.getBytes(p.data.readerIndex(), b);
      out.writeBytes(b);
    }
    return out.toByteArray();
  }

  @Test
  void theManagementViewShowsTheNegotiatedKeysAndEachConnection() {
    Initiator second = join(3);
    SessionDetails d = core.events.details();
    assertThat(d.attributes()).containsEntry("sid", "400000000001" + String.format("%04x", tsih))
        .containsEntry("MaxBurstLength", "16384").containsEntry("FirstBurstLength", "4096")
        .containsEntry("InitialR2T", "No").containsEntry("ImmediateData", "Yes")
        .containsEntry("MaxOutstandingR2T", "2").containsEntry("MaxConnections", "4")
        .containsEntry("HeaderDigest", "None").containsEntry("DataDigest", "None")
        .containsEntry("MaxXmitDataSegmentLength", "8192")
        .containsEntry("ErrorRecoveryLevel", "0");
    // Every name the driver shows is one it describes, so core shows it.
    assertThat(SessionAttributes.SESSION).extracting(AttributeDescriptor::name)
        .containsAll(d.attributes().keySet());
    // A test channel has no IP address: the connections are named as iscsi-scst names two of
    // one address.
    assertThat(d.connections()).extracting(SessionDetails.Connection::name)
        .containsExactly("unknown", "unknown_1");
    assertThat(d.connections()).extracting(c -> c.attributes().get("cid"))
        .containsExactly("0", "3");
    assertThat(d.connections()).extracting(c -> c.attributes().get("state"))
        .containsOnly("established");
    assertThat(SessionAttributes.CONNECTION).extracting(AttributeDescriptor::name)
        .containsAll(d.connections().get(1).attributes().keySet());

    logout(second, 1, 1, 3);
    assertThat(second.read().opcode()).isEqualTo(Opcode.LOGOUT_RESPONSE);
    assertThat(core.events.details().connections()).extracting(c -> c.attributes().get("cid"))
        .containsExactly("0");
  }

  @Test
  void aLogoutOfOneConnectionLeavesTheSessionServingOnTheOther() {
    Initiator second = join(1);
    logout(second, 1, 1, 1);
    Pdu response = second.read();
    assertThat(response.opcode()).isEqualTo(Opcode.LOGOUT_RESPONSE);
    assertThat(response.u8(2)).isZero();
    assertThat(second.channel.isOpen()).isFalse();
    assertThat(core.closed).isFalse();
    assertThat(first.connection.session().connections()).containsExactly(first.connection);
    command(first, 2, 11, false, 0, 1, new byte[0]);
    assertThat(first.drain()).extracting(Pdu::opcode).containsExactly(Opcode.DATA_IN);

    // The last connection's logout ends the session.
    logout(first, 3, 1, 0);
    assertThat(first.read().u8(2)).isZero();
    assertThat(first.channel.isOpen()).isFalse();
    assertThat(core.closed).isTrue();
    assertThat(service.session(tsih)).isNull();
  }

  @Test
  void aLogoutNamingAnotherCidClosesThatConnectionAndAnswersHere() {
    Initiator second = join(1);
    // A write that waits for its Data-Out: a task of the connection being logged out.
    command(second, 1, 21, true, 0, 16, new byte[0]);
    assertThat(second.drain()).extracting(Pdu::opcode).contains(Opcode.R2T);
    logout(first, 2, 1, 1);
    Pdu response = first.read();
    assertThat(response.opcode()).isEqualTo(Opcode.LOGOUT_RESPONSE);
    assertThat(response.u8(2)).isZero();
    assertThat(core.managed).as("the connection's task is aborted")
        .containsExactly("ABORT_TASK:0:21");
    assertThat(second.channel.isOpen()).isFalse();
    assertThat(first.channel.isOpen()).isTrue();
    assertThat(core.closed).isFalse();

    logout(first, 3, 1, 9);
    assertThat(first.read().u8(2)).as("CID not found").isEqualTo(1);
    logout(first, 4, 2, 0);
    assertThat(first.read().u8(2)).as("recovery needs ErrorRecoveryLevel 2").isEqualTo(2);
    assertThat(first.channel.isOpen()).isTrue();
  }

  @Test
  void closingTheSessionClosesEveryConnection() {
    Initiator second = join(1);
    logout(second, 1, 0, 0);
    assertThat(second.read().u8(2)).isZero();
    assertThat(first.channel.isOpen()).isFalse();
    assertThat(second.channel.isOpen()).isFalse();
    assertThat(core.closed).isTrue();
  }

  @Test
  void taskManagementReachesTasksOfOtherConnectionsAndAColdResetClosesThemAll() {
    Initiator second = join(1);
    core.behaviour = t -> { };
    command(second, 1, 21, false, 0, 1, new byte[0]);
    ByteBuf abort = Initiator.bhs(0x02, 0x80 | 1, 0x90);
    abort.setInt(20, 21);
    abort.setInt(24, 2);
    first.send(abort, new byte[0]);
    Pdu r = first.read();
    assertThat(r.opcode()).isEqualTo(Opcode.TASK_MANAGEMENT_RESPONSE);
    assertThat(r.u8(2)).as("function complete").isZero();
    assertThat(core.managed).containsExactly("ABORT_TASK:0:21");

    ByteBuf cold = Initiator.bhs(0x02, 0x80 | 7, 0x91);
    cold.setInt(24, 3);
    first.send(cold, new byte[0]);
    assertThat(first.read().u8(2)).isZero();
    assertThat(first.channel.isOpen()).isFalse();
    assertThat(second.channel.isOpen()).isFalse();
  }

  @Test
  void aFailedConnectionsTasksEndWhileTheSessionGoesOn() {
    Initiator second = join(1);
    command(second, 1, 21, true, 0, 16, new byte[0]);
    second.drain();
    second.channel.close();
    assertThat(core.managed).containsExactly("ABORT_TASK:0:21");
    assertThat(core.closed).isFalse();
    command(first, 2, 11, false, 0, 1, new byte[0]);
    assertThat(first.drain()).extracting(Pdu::opcode).containsExactly(Opcode.DATA_IN);
    first.channel.close();
    assertThat(core.closed).as("the last connection ends the session").isTrue();
  }

  @Test
  void noMoreConnectionsThanNegotiatedAndNoneToAnUnknownSession() {
    join(1);
    join(2);
    join(3);
    Initiator fifth = new Initiator(core, service);
    assertThat(login(fifth, tsih, 4).u16(36)).as("too many connections").isEqualTo(0x0206);
    assertThat(fifth.channel.isOpen()).isFalse();

    Initiator stranger = new Initiator(core, service);
    assertThat(login(stranger, tsih + 1, 0).u16(36)).as("session does not exist")
        .isEqualTo(0x020A);
    Initiator otherIsid = first.port(9);
    assertThat(login(otherIsid, tsih, 5).u16(36)).isEqualTo(0x020A);
  }

  @Test
  void aLoginWithALiveCidReplacesThatConnection() {
    Initiator second = join(1);
    command(second, 1, 21, true, 0, 16, new byte[0]);
    second.drain();
    Initiator again = join(1);
    assertThat(second.channel.isOpen()).as("the old connection of CID 1").isFalse();
    assertThat(core.managed).containsExactly("ABORT_TASK:0:21");
    assertThat(first.connection.session().connections())
        .containsExactly(first.connection, again.connection);
    command(again, 2, 22, false, 0, 1, new byte[0]);
    assertThat(again.drain()).extracting(Pdu::opcode).containsExactly(Opcode.DATA_IN);
  }

  @Test
  void theTargetsMaxConnectionsBoundsTheAnswerAndOneIsTheDefault() {
    core.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:two", true, true,
        Map.of("MaxConnections", "2")));
    Initiator i = first.port(2);
    i.send(i.login(0x83), Initiator.text("InitiatorName=iqn.2026-11.test:initiator",
        "TargetName=iqn.2026-11.test:two", "AuthMethod=None", "MaxConnections=16"));
    assertThat(Initiator.keys(i.read())).containsEntry("MaxConnections", "2");

    Initiator quiet = first.port(3);
    Pdu r = quiet.loginNormal(TARGET);
    Initiator extra = new Initiator(core, service);
    extra.isid = quiet.isid;
    assertThat(login(extra, r.u16(14), 1).u16(36))
        .as("an initiator that did not negotiate MaxConnections has 1").isEqualTo(0x0206);
  }
}
