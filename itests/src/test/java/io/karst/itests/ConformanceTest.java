package io.karst.itests;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.itests.Conformance.Outcome;
import io.karst.itests.Conformance.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scoring of iscsi-test-cu's output, on output as libiscsi 1.19 prints it. */
class ConformanceTest {

  private static final String OUTPUT = """
      Suite: WriteSame10
        Test: Simple ...passed
        Test: UnmapVPD ...    [FAILED] WRITESAME10 command failed with status 2 / sense key \
      ILLEGAL_REQUEST(0x05) / ASCQ INVALID_FIELD_IN_CDB(0x2400)
      passed
        Test: ZeroBlocks ...    [SKIPPED] WRITESAME10 does not support 0-blocks.
      passed
        Test: Reset ...FAILED
          1. test_multipathio_reset.c:69  - CU_ASSERT_NOT_EQUAL(num_uas,0)
          2. test_multipathio_reset.c:69  - CU_ASSERT_NOT_EQUAL(num_uas,0)
        Test: Check ...    First block did not contain expected 'b'
      FAILED
          1. test_write10_residuals.c:306  - CU_FAIL("Block was not written correctly")
        Test: Async ...
      """;

  private final Map<String, Outcome> results = Conformance.parse("WriteSame10", OUTPUT);

  @Test
  void cunitsVerdictAloneIsAPass() {
    assertThat(results.get("WriteSame10.Simple").verdict()).isEqualTo(Verdict.PASS);
  }

  @Test
  void aFailedLineFailsATestCunitPassed() {
    Outcome o = results.get("WriteSame10.UnmapVPD");
    assertThat(o.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(o.cunitPassed()).isTrue();
    assertThat(o.failedLines()).singleElement().asString()
        .startsWith("[FAILED] WRITESAME10 command failed with status 2");
  }

  @Test
  void aSkippedLineIsASkip() {
    Outcome o = results.get("WriteSame10.ZeroBlocks");
    assertThat(o.verdict()).isEqualTo(Verdict.SKIP);
    assertThat(o.detail()).isEqualTo("[SKIPPED] WRITESAME10 does not support 0-blocks.");
  }

  @Test
  void cunitsFailureKeepsItsFailedAssertions() {
    Outcome o = results.get("WriteSame10.Reset");
    assertThat(o.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(o.cunitPassed()).isFalse();
    assertThat(o.assertions()).containsExactly(
        "test_multipathio_reset.c:69  - CU_ASSERT_NOT_EQUAL(num_uas,0)",
        "test_multipathio_reset.c:69  - CU_ASSERT_NOT_EQUAL(num_uas,0)");
    assertThat(results.get("WriteSame10.Check").assertions())
        .containsExactly("test_write10_residuals.c:306  - CU_FAIL(\"Block was not written "
            + "correctly\")");
  }

  @Test
  void aTestWithoutVerdictHangs() {
    assertThat(results.get("WriteSame10.Async").verdict()).isEqualTo(Verdict.HANG);
  }

  @Test
  void aMergePassesWhatPassedOnOneLuAndFailedOnNone() {
    Map<String, Outcome> merged = Conformance.merge(List.of(
        Map.of("a", outcome(Verdict.SKIP), "b", outcome(Verdict.PASS), "c", outcome(Verdict.SKIP)),
        Map.of("a", outcome(Verdict.PASS), "b", outcome(Verdict.FAIL), "c", outcome(Verdict.SKIP)),
        Map.of("a", outcome(Verdict.PASS), "b", outcome(Verdict.HANG))));
    assertThat(merged.get("a").verdict()).isEqualTo(Verdict.PASS);
    assertThat(merged.get("b").verdict()).isEqualTo(Verdict.HANG);
    assertThat(merged.get("c").verdict()).isEqualTo(Verdict.SKIP);
    assertThat(Conformance.summary(merged))
        .isEqualTo("conformance: 1 passed, 0 failed, 1 skipped, 1 hung of 3 tests");
  }

  private static Outcome outcome(Verdict v) {
    return new Outcome(v, v != Verdict.FAIL, List.of(), List.of(), "");
  }
}
