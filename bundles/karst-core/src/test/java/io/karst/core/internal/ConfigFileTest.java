package io.karst.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration file: written after each change, hand edits applied, broken ones refused. */
class ConfigFileTest {

  @TempDir
  Path dir;

  private TestBed bed(Path file) throws Exception {
    Files.writeString(file, TestBed.CONFIG);
    TestBed bed = new TestBed(dir.resolve("data"), TestBed.CONFIG);
    bed.engine.persist(file, true);
    return bed;
  }

  @Test
  void everyChangeIsWrittenAtomically() throws Exception {
    Path file = dir.resolve("etc/karst.conf");
    Files.createDirectories(file.getParent());
    try (TestBed bed = bed(file)) {
      assertThat(Files.readString(file)).as("untouched until a change").isEqualTo(TestBed.CONFIG);
      bed.engine.execute("/targets/local/t1/luns", "add 9 disk0");
      assertThat(Files.readString(file)).isEqualTo(bed.engine.write(false)).contains("LUN 9 disk0");
      bed.engine.set("/devices/disk0", "t10_vend_id", "ACME");
      assertThat(Files.readString(file)).contains("t10_vend_id ACME");
      try (var listing = Files.list(file.getParent())) {
        assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("karst.conf");
      }
    }
  }

  @Test
  @org.junit.jupiter.api.Timeout(120)
  void aHandEditIsAppliedAsADifference() throws Exception {
    Path file = dir.resolve("karst.conf");
    try (TestBed bed = bed(file)) {
      Device disk0 = bed.engine.deviceMap().get("disk0");
      String edit = TestBed.CONFIG.replace("LUN 0 disk0\n        LUN 3", "LUN 0 disk0\n"
          + "        LUN 4 disk0\n        LUN 3");
      Files.writeString(file, edit);
      // The watcher applies it on its own thread; wait for it.
      while (bed.engine.targets().get(0).luns().size() < 3) {
        Thread.sleep(20);
      }
      assertThat(bed.engine.targets().get(0).luns()).extracting(l -> l.lun())
          .containsExactly(0L, 3L, 4L);
      assertThat(bed.engine.deviceMap().get("disk0")).isSameAs(disk0);
      assertThat(bed.engine.sessions()).hasSize(1);
      assertThat(Files.readString(file)).as("the edit is the administrator's; kept as written")
          .isEqualTo(edit);
    }
  }

  @Test
  void aBrokenEditIsRefusedAndNothingChanges() throws Exception {
    Path file = dir.resolve("karst.conf");
    try (TestBed bed = bed(file)) {
      String before = bed.engine.write(true);
      Files.writeString(file, TestBed.CONFIG.replace("LUN 0 disk0", "LUN 0 nodisk"));
      bed.engine.configFile().changed();
      assertThat(bed.engine.write(true)).isEqualTo(before);
      bed.engine.execute("/targets/local/t1/luns", "add 9 disk0");
      assertThat(Files.readString(file)).as("a broken file is not overwritten")
          .contains("LUN 0 nodisk");
      Files.writeString(file, bed.engine.write(false).replace("LUN 9 disk0", "LUN 8 disk0"));
      bed.engine.configFile().changed();
      assertThat(bed.engine.targets().get(0).luns()).extracting(l -> l.lun())
          .as("fixed: applied without force, LUN 9 kept").containsExactly(0L, 3L, 8L, 9L);
    }
  }
}
