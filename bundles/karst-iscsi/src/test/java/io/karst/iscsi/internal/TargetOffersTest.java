package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A target's own negotiation keys (iscsi-scst's per-target names) in place of the driver's. */
class TargetOffersTest {

  private final FakeCore core = new FakeCore(FakeCore.settings());

  private static Map<String, String> loginAskingForMuch(Initiator i, String target) {
    i.send(i.login(0x83), Initiator.text("InitiatorName=iqn.2026-11.test:initiator",
        "TargetName=" + target, "AuthMethod=None", "MaxRecvDataSegmentLength=262144",
        "ImmediateData=Yes", "InitialR2T=No", "MaxBurstLength=262144",
        "FirstBurstLength=65536", "MaxOutstandingR2T=8"));
    Pdu r = i.read();
    assertThat(r.u16(36)).isZero();
    return Initiator.keys(r);
  }

  @Test
  void aTargetsKeysReplaceTheDriversForItsSessionsOnly() {
    core.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:tuned", true, true, Map.of(
        "InitialR2T", "1", "ImmediateData", "0", "MaxRecvDataSegmentLength", "4096",
        "MaxXmitDataSegmentLength", "1024", "MaxBurstLength", "8192", "FirstBurstLength",
        "2048", "MaxOutstandingR2T", "1")));
    Initiator tuned = new Initiator(core);
    assertThat(loginAskingForMuch(tuned, "iqn.2026-11.test:tuned"))
        .containsEntry("InitialR2T", "Yes").containsEntry("ImmediateData", "No")
        .containsEntry("MaxRecvDataSegmentLength", "4096")
        .containsEntry("MaxBurstLength", "8192").containsEntry("FirstBurstLength", "2048")
        .containsEntry("MaxOutstandingR2T", "1");
    tuned.command(5, 0xC0, 4, 2048, new byte[0]);
    assertThat(tuned.drain()).as("Data-In of at most MaxXmitDataSegmentLength")
        .extracting(Pdu::dataLength).containsExactly(1024, 1024);

    assertThat(loginAskingForMuch(new Initiator(core), "iqn.2026-11.test:disk"))
        .as("the driver's offers").containsEntry("InitialR2T", "No")
        .containsEntry("ImmediateData", "Yes").containsEntry("MaxRecvDataSegmentLength", "8192")
        .containsEntry("MaxBurstLength", "16384").containsEntry("FirstBurstLength", "4096")
        .containsEntry("MaxOutstandingR2T", "2");
  }

  @Test
  void aFirstBurstAboveTheTargetsMaxBurstKeepsTheDriverStopped() {
    core.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:bad", true, true, Map.of(
        "MaxBurstLength", "8192", "FirstBurstLength", "16384")));
    assertThatThrownBy(() -> new IscsiService(core, List.of()))
        .hasMessage("TARGET iqn.2026-11.test:bad: FirstBurstLength '16384' is not 512 to 8192");
  }

  @Test
  void theDriversFirstBurstIsCappedByATargetsSmallerMaxBurst() {
    core.targets.add(new FakeCore.FakeTarget("iqn.2026-11.test:short", true, true, Map.of(
        "MaxBurstLength", "2048")));
    assertThat(loginAskingForMuch(new Initiator(core), "iqn.2026-11.test:short"))
        .containsEntry("MaxBurstLength", "2048").containsEntry("FirstBurstLength", "2048");
  }
}
