package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IscsiNameTest {

  @Test
  void theNamesOfRealInitiatorsAndTheRfcsExamplesAreValid() {
    assertThat(IscsiName.problem("iqn.2026-11.io.karst:default")).isNull();
    assertThat(IscsiName.problem("iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test"))
        .isNull();
    assertThat(IscsiName.problem("iqn.2008-11.org.linux-kvm")).isNull();
    assertThat(IscsiName.problem("iqn.1998-01.com.vmware:esx01-5f3a2b1c")).isNull();
    assertThat(IscsiName.problem("iqn.1991-05.com.microsoft:WIN-SERVER.example.com"))
        .as("uppercase, which stringprep folds").isNull();
    assertThat(IscsiName.problem("iqn.2001-04.com.example:storage:diskarrays-sn-a8675309"))
        .isNull();
    assertThat(IscsiName.problem("eui.02004567A425678D")).isNull();
    assertThat(IscsiName.problem("naa.52004567BA64678D")).isNull();
    assertThat(IscsiName.problem("naa.62004567BA64678D0123456789ABCDEF")).isNull();
  }

  @Test
  void malformedNamesSayWhatIsWrong() {
    assertThat(IscsiName.problem("disk")).isEqualTo("not of type iqn., eui. or naa.");
    assertThat(IscsiName.problem("iqn.test:disk"))
        .isEqualTo("not iqn.yyyy-mm.reversed.domain.name[:anything]");
    assertThat(IscsiName.problem("iqn.2026-13.io.karst")).startsWith("not iqn.");
    assertThat(IscsiName.problem("iqn.2026-11.:x")).startsWith("not iqn.");
    assertThat(IscsiName.problem("iqn.2026-11.io..karst")).startsWith("not iqn.");
    assertThat(IscsiName.problem("iqn.2026-11.io.karst:my_disk"))
        .isEqualTo("character U+005F at 23 is not allowed");
    assertThat(IscsiName.problem("iqn.2026-11.io.karst:a b")).contains("U+0020");
    assertThat(IscsiName.problem("eui.02004567A425678")).isEqualTo(
        "not eui. and 16 hexadecimal digits");
    assertThat(IscsiName.problem("naa.52004567BA64678D01")).isEqualTo(
        "not naa. and 16 or 32 hexadecimal digits");
    assertThat(IscsiName.problem("iqn.2026-11.io.karst:" + "x".repeat(203)))
        .isEqualTo("longer than 223 bytes");
    assertThat(IscsiName.problem("iqn.2026-11.io.karst:" + "x".repeat(202))).isNull();
  }

  @Test
  void initiatorsAreHeldToTheTypeAndShapeOfTheirNamesOnly() {
    assertThat(IscsiName.initiatorProblem("iqn.1991-05.com.microsoft:my_pc.corp_lan"))
        .as("an '_' from a host name").isNull();
    assertThat(IscsiName.initiatorProblem("iqn.2026-11.io.karst:a b")).contains("U+0020");
    assertThat(IscsiName.initiatorProblem("iqn.test:host")).startsWith("not iqn.");
    assertThat(IscsiName.initiatorProblem("host")).isEqualTo("not of type iqn., eui. or naa.");
    assertThat(IscsiName.initiatorProblem("eui.0123")).startsWith("not eui.");
  }

  @Test
  void aTargetWithAMalformedNameKeepsTheDriverStopped() {
    FakeCore core = new FakeCore(FakeCore.settings());
    core.targets.add(new FakeCore.FakeTarget("my_target", true, true, java.util.Map.of()));
    assertThatThrownBy(() -> new IscsiTargetDriver().start(core))
        .hasMessage("TARGET my_target: the name is not an iSCSI name (character U+005F at 2 "
            + "is not allowed)");
  }
}
