package io.karst.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.api.mgmt.Management.ApplyReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SCST's own example configurations read, checked and applied. */
class ReferenceConfigTest {

  @TempDir
  Path dir;

  private static String read(String name) throws IOException {
    try (InputStream in = ReferenceConfigTest.class.getResourceAsStream("/scst.conf/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"iscsi-scst_etc_scst.conf", "scst.conf.5-example.conf",
      "scstadmin_examples_scst.conf.sysfs",
      "scstadmin_scstadmin.sysfs_scst-1.0.0_t_06-after-restore.conf",
      "scstadmin_scstadmin.sysfs_scst-1.0.0_t_06-to-be-restored.conf",
      "scstadmin_scstadmin.sysfs_scst-1.0.0_t_07-result.conf"})
  void scstsExamplesParseAndApplyWithWarningsForWhatKarstLacks(String name) throws Exception {
    String text = read(name);
    new ConfigParser(name).parse(text);
    try (Engine engine = engine(dir)) {
      ApplyReport check = engine.apply(text, name, false, true);
      assertThat(check.applied()).isFalse();
      assertThat(engine.devices()).isEmpty();
      ApplyReport r = engine.apply(text, name, false, false);
      assertThat(r.notApplied()).as("handlers and drivers that are not registered")
          .anySatisfy(n -> assertThat(n).contains("is not registered"));
      assertThat(engine.devices()).isNotEmpty().allSatisfy(d -> assertThat(d.stateDetail())
          .contains("is not registered"));
      String written = engine.write(false);
      try (Engine again = engine(dir.resolve("again"))) {
        again.apply(written, "written.conf", false, false);
        assertThat(again.write(false)).isEqualTo(written);
      }
    }
  }

  private static Engine engine(Path data) {
    Engine e = new Engine(data);
    e.addHandler(new MemoryHandler());
    e.addDriver(new io.karst.local.internal.LocalTargetDriver());
    return e;
  }
}
