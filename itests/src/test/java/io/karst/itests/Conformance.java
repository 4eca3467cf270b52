package io.karst.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * libiscsi's conformance suite, {@code iscsi-test-cu} of libiscsi-bin, run and scored the way
 * administrators compare targets with it: each suite in its own {@code iscsi-test-cu -d -S -t
 * ALL.SUITE URL URL} process (the second URL makes the multipath tests use two sessions), a
 * suite still running after its time is killed and its unfinished tests score HANG, and a test
 * scores FAIL when CUnit failed it or when it printed {@code [FAILED]} anywhere (iscsi-test-cu's
 * helpers print that for an unexpected status and let the test go on), SKIP when it printed
 * {@code [SKIPPED]} (CUnit counts those as passed), PASS otherwise. Several LUNs merge into one
 * verdict per test ({@link #merge}).
 */
final class Conformance {

  /** A test's verdict, in rank order: a merge keeps FAIL or HANG from any LUN. */
  enum Verdict { PASS, SKIP, FAIL, HANG }

  /**
   * What one test did on one LUN. {@code cunitPassed} is CUnit's own verdict ("passed");
   * {@code output} the lines the test printed before it; {@code assertions} the CUnit
   * assertions that failed, as CUnit lists them under a failed test ({@code file.c:line -
   * CU_ASSERT...}, without its number); {@code note} why a test has no verdict of CUnit's (empty otherwise).
   */
  record Outcome(Verdict verdict, boolean cunitPassed, List<String> output,
      List<String> assertions, String note) {

    /** The lines with {@code [FAILED]}: iscsi-test-cu's helpers print them. */
    List<String> failedLines() {
      return output.stream().filter(l -> l.contains("[FAILED]")).toList();
    }

    /** The lines with {@code [SKIPPED]}, each with the reason the suite gives. */
    List<String> skippedLines() {
      return output.stream().filter(l -> l.contains("[SKIPPED]")).toList();
    }

    /** The line that explains the verdict: the first failure, else the first skip. */
    String detail() {
      if (!note.isEmpty()) {
        return note;
      }
      List<String> lines = !failedLines().isEmpty() ? failedLines()
          : verdict == Verdict.FAIL ? assertions : skippedLines();
      String d = lines.isEmpty() ? "" : lines.get(0);
      return d.length() > 200 ? d.substring(0, 200) : d;
    }

    static Outcome unfinished(Verdict verdict, String note) {
      return new Outcome(verdict, false, List.of(), List.of(), note);
    }
  }

  private static final Pattern TEST = Pattern.compile("\\s*Test: (\\S+) \\.\\.\\.(.*)");
  /** CUnit's list of a failed test's assertions: "    1. test_x.c:62  - CU_ASSERT...". */
  private static final Pattern ASSERTION = Pattern.compile("\\s+\\d+\\. (\\S+:\\d+\\s+- .*)");

  private Conformance() {}

  /** The suites and their tests, as {@code iscsi-test-cu -l} lists them, without "ALL.". */
  static Map<String, List<String>> tests() throws Exception {
    KarstServer.Result r = KarstServer.run(60, "iscsi-test-cu", "-l");
    Map<String, List<String>> tests = new LinkedHashMap<>();
    for (String name : r.output().split("\\s+")) {
      String[] parts = name.split("\\.");
      if (parts.length == 2 && parts[0].equals("ALL")) {
        tests.put(parts[1], new ArrayList<>());
      } else if (parts.length == 3 && parts[0].equals("ALL") && tests.containsKey(parts[1])) {
        tests.get(parts[1]).add(parts[1] + "." + parts[2]);
      }
    }
    return tests;
  }

  /**
   * Runs one suite against one LUN and scores each of its tests ({@code tests}, from
   * {@link #tests}); what iscsi-test-cu printed goes to {@code log}. A test the process never
   * finished scores HANG when the process was killed after {@code timeoutSeconds}, FAIL when it
   * exited without a verdict for it.
   */
  static Map<String, Outcome> run(String suite, List<String> tests, String url,
      int timeoutSeconds, Path log) throws Exception {
    Files.createDirectories(log.getParent());
    Process p = new ProcessBuilder("iscsi-test-cu", "-d", "-S", "-t", "ALL." + suite, url, url)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    if (!finished) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    Map<String, Outcome> seen = parse(suite, read(log));
    Map<String, Outcome> scored = new TreeMap<>(seen);
    for (String test : tests) {
      Outcome o = seen.get(test);
      if (!finished && (o == null || o.verdict() == Verdict.PASS)) {
        scored.put(test, Outcome.unfinished(Verdict.HANG,
            "suite timed out after " + timeoutSeconds + "s"));
      } else if (o == null) {
        scored.put(test, Outcome.unfinished(Verdict.FAIL,
            "no verdict: iscsi-test-cu exited with " + p.exitValue()));
      }
    }
    return scored;
  }

  private static String read(Path log) throws IOException {
    return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
  }

  /**
   * Scores iscsi-test-cu's verbose output. CUnit prints "Test: NAME ..." and, when the test
   * ends, "passed" or "FAILED" on that line or on a line of its own; what the test printed in
   * between is its output. Lines after the verdict (a suite's teardown, CUnit's list of failed
   * assertions) do not change it. A test with no verdict at the end of the output (the
   * process died in it) scores HANG.
   */
  static Map<String, Outcome> parse(String suite, String text) {
    Map<String, Outcome> results = new TreeMap<>();
    String current = null;
    List<String> notes = new ArrayList<>();
    String lastFailed = null;
    for (String line : text.split("\n", -1)) {
      Matcher m = TEST.matcher(line);
      if (m.matches()) {
        current = suite + "." + m.group(1);
        lastFailed = null;
        notes = new ArrayList<>(List.of(m.group(2)));
        String rest = m.group(2).strip();
        for (String word : List.of("passed", "FAILED")) {
          if (rest.startsWith(word) || rest.endsWith(word)) {
            if (rest.startsWith(word)) {
              notes = new ArrayList<>();
            }
            results.put(current, close(word.equals("passed"), notes));
            lastFailed = word.equals("FAILED") ? current : null;
            current = null;
            break;
          }
        }
        continue;
      }
      if (current == null) {
        Matcher a = ASSERTION.matcher(line);
        if (lastFailed != null && a.matches()) {
          results.get(lastFailed).assertions().add(a.group(1).strip());
        }
        continue;
      }
      String s = line.strip();
      if (s.equals("passed") || s.equals("FAILED")) {
        results.put(current, close(s.equals("passed"), notes));
        lastFailed = s.equals("FAILED") ? current : null;
        current = null;
      } else {
        notes.add(line);
      }
    }
    if (current != null) {
      results.put(current, Outcome.unfinished(Verdict.HANG, "no verdict printed"));
    }
    return results;
  }

  private static Outcome close(boolean cunitPassed, List<String> notes) {
    List<String> output = notes.stream().map(String::strip).filter(n -> !n.isEmpty()).toList();
    boolean failed = output.stream().anyMatch(n -> n.contains("[FAILED]"));
    boolean skipped = output.stream().anyMatch(n -> n.contains("[SKIPPED]"));
    Verdict v = !cunitPassed || failed ? Verdict.FAIL : skipped ? Verdict.SKIP : Verdict.PASS;
    return new Outcome(v, cunitPassed, output, new ArrayList<>(), "");
  }

  /**
   * One verdict per test over several LUNs: FAIL or HANG on any LUN wins (the worse of them);
   * otherwise PASS when the test passed without a skip on at least one LUN, else SKIP. A test
   * not run on a LUN (its suite excluded there) does not count for that LUN. Of equal verdicts
   * the first LUN's outcome is kept.
   */
  static Map<String, Outcome> merge(List<Map<String, Outcome>> luns) {
    Map<String, Outcome> merged = new TreeMap<>();
    for (Map<String, Outcome> lun : luns) {
      lun.forEach((test, o) -> merged.merge(test, o, (old, now) -> {
        boolean failing = old.verdict().compareTo(Verdict.FAIL) >= 0
            || now.verdict().compareTo(Verdict.FAIL) >= 0;
        int c = now.verdict().compareTo(old.verdict());
        return failing ? (c > 0 ? now : old) : (c < 0 ? now : old);
      }));
    }
    return merged;
  }

  /** The summary line conformance tools print: "conformance: P passed, F failed, ...". */
  static String summary(Map<String, Outcome> results) {
    Map<Verdict, Integer> counts = counts(results);
    return "conformance: %d passed, %d failed, %d skipped, %d hung of %d tests".formatted(
        counts.get(Verdict.PASS), counts.get(Verdict.FAIL), counts.get(Verdict.SKIP),
        counts.get(Verdict.HANG), results.size());
  }

  static Map<Verdict, Integer> counts(Map<String, Outcome> results) {
    Map<Verdict, Integer> counts = new LinkedHashMap<>();
    for (Verdict v : Verdict.values()) {
      counts.put(v, 0);
    }
    results.values().forEach(o -> counts.merge(o.verdict(), 1, Integer::sum));
    return counts;
  }

  /** Every test's verdict, one a line ("SKIP Suite.Test  detail"), then the summary. */
  static String report(Map<String, Outcome> results) {
    StringBuilder b = new StringBuilder();
    results.forEach((test, o) ->
        b.append("%-4s %-45s %s".formatted(o.verdict(), test, o.detail()).strip()).append('\n'));
    return b.append(summary(results)).append('\n').toString();
  }

  /** The verdicts as JSON: {"Suite.Test": {"verdict": "PASS", "detail": "..."}, ...}. */
  static String json(Map<String, Outcome> results, String indent) {
    StringBuilder b = new StringBuilder("{");
    String sep = "\n";
    for (Map.Entry<String, Outcome> e : results.entrySet()) {
      b.append(sep).append(indent).append(' ').append(quote(e.getKey()))
          .append(": {\"verdict\": ").append(quote(e.getValue().verdict().name()))
          .append(", \"detail\": ").append(quote(e.getValue().detail())).append('}');
      sep = ",\n";
    }
    return b.append('\n').append(indent).append('}').toString();
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append("\\u%04x".formatted((int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
