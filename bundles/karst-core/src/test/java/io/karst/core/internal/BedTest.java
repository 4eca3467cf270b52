package io.karst.core.internal;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A test with a fresh {@link TestBed} per test method. */
abstract class BedTest {

  @TempDir
  Path dir;
  TestBed bed;

  /** The configuration the bed starts with. */
  String config() {
    return TestBed.CONFIG;
  }

  @BeforeEach
  void setUp() throws Exception {
    bed = new TestBed(dir, config());
  }

  @AfterEach
  void tearDown() {
    bed.close();
  }
}
