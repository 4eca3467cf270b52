package io.karst.itests;

import static org.assertj.core.api.Assertions.assertThat;

import io.karst.itests.Conformance.Outcome;
import io.karst.itests.Conformance.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * libiscsi's conformance suite ({@link Conformance}: all of iscsi-test-cu's tests, each suite
 * in its own process) against a set of LUN profiles, one after another, each profile the only
 * LUN of a target of its own on freshly created images. A test's verdicts on the profiles
 * merge into one (PASS when it passed on one LUN and failed on none). The build fails when a
 * test fails or hangs, except a known conflict of the suite that fails exactly in its
 * documented way, or when a skip is not one docs/conformance.md explains; these lists and the
 * documentation's tables must name the same tests. The verdicts, per profile and merged, go to
 * {@code target/conformance-report.txt} and {@code target/conformance.json}, what iscsi-test-cu
 * printed to {@code target/conformance-logs/PROFILE/SUITE.log}.
 */
class ConformanceE2EIT {

  /** No other test's port, nor Karaf's ports of one (KarstServer puts them 1000 apart). */
  private static final int PORT = 13280;
  private static final int SUITE_TIMEOUT_SECONDS = 120;

  /**
   * Why a read-only profile does not run a suite: every test of it that writes gets DATA
   * PROTECT, WRITE PROTECTED, which the suite's helpers print as {@code [FAILED]}.
   */
  private static final String WRITES = "writes to the LU, which a write-protected LU refuses "
      + "with DATA PROTECT, WRITE PROTECTED (printed [FAILED] by the suite)";
  /** Why nullio does not run a suite: it discards writes and reads zeros. */
  private static final String READS_BACK = "reads back or verifies what it wrote, and nullio "
      + "discards writes and reads zeros";

  /**
   * The LU profiles, run in this order (the first profile's skip reason is the one a merged
   * SKIP shows). A profile's lines are its device's attributes: a new attribute is one line;
   * file handlers also get {@code filename PROFILE.img} and {@code create 1}.
   */
  static final List<Profile> PROFILES = List.of(
      Profile.of("thin", "vdisk_fileio",
          "size 256M",
          "thin_provisioned 1"),
      Profile.of("thick", "vdisk_fileio",
          "size 256M"),
      Profile.of("removable", "vdisk_fileio",
          "size 256M",
          "removable 1"),
      Profile.of("blockio4k", "vdisk_blockio",
          "size 256M",
          "blocksize 4096"),
      // A "512e" disk: 512-byte logical blocks on 4096-byte physical ones.
      Profile.of("thin512e", "vdisk_fileio",
          "size 256M",
          "thin_provisioned 1",
          "lb_per_pb_exp 1"),
      Profile.of("readonly", "vdisk_fileio",
          "size 64M",
          "read_only 1",
          "thin_provisioned 1")
          .excluding(WRITES, "CompareAndWrite", "ExtendedCopy", "GetLBAStatus", "MultipathIO",
              "OrWrite", "ProutReserve", "ReceiveCopyResults", "Sanitize", "Unmap", "Write10",
              "Write12", "Write16", "WriteAtomic16", "WriteSame10", "WriteSame16",
              "WriteVerify10", "WriteVerify12", "WriteVerify16", "iSCSIResiduals", "iSCSITMF",
              "iSCSIdatasn"),
      // As the benchmarks run it: vdisk_nullio's defaults, fully provisioned.
      Profile.of("nullio", "vdisk_nullio",
          "size 256M")
          .excluding(READS_BACK, "CompareAndWrite", "ExtendedCopy", "MultipathIO", "OrWrite",
              "Sanitize", "WriteSame10", "WriteSame16", "WriteVerify10", "WriteVerify12",
              "WriteVerify16", "iSCSIResiduals"),
      Profile.of("resetua", "vdisk_fileio",
          "size 256M",
          "reset_ua 1")
          .only("MultipathIO", "the profile is there for MultipathIO.Reset (a known conflict);"
              + " with reset_ua 1 the Reserve6 and PreventAllow reset tests fail"));

  /**
   * The skips docs/conformance.md explains ("Skips" table): a test, or {@code Suite.*} for every
   * test of a suite, with the reason the suite gives (a pattern found in its merged
   * {@code [SKIPPED]} line). A skip that becomes a pass is fine; the report lists it.
   */
  static final List<ExplainedSkip> EXPLAINED_SKIPS = List.of(
      cryptoErase("Sanitize.CryptoErase", ""),
      cryptoErase("Sanitize.Readonly", "; its OVERWRITE and BLOCK ERASE steps, refused with "
          + "DATA PROTECT under software write protection, pass"),
      cryptoErase("Sanitize.Reservations", "; its OVERWRITE and BLOCK ERASE steps, refused "
          + "with RESERVATION CONFLICT under another nexus's RESERVE, pass"));

  private static ExplainedSkip cryptoErase(String test, String more) {
    return new ExplainedSkip(test, "SANITIZE CRYPTO_ERASE is not implemented",
        "SANITIZE CRYPTOGRAPHIC ERASE is not offered: no backend encrypts, so there is no key "
            + "to change" + more);
  }

  /**
   * Tests libiscsi 1.19 scores FAIL on this target by a conflict inside the suite
   * (docs/conformance.md, "Known conflicts of the suite"): each must pass on the profiles
   * {@code passesOn} selects, fail exactly in the documented way on those {@code failsOn}
   * selects, and neither fail nor hang on any other profile it runs on; any other failure of
   * these tests fails the build.
   */
  static final List<KnownConflict> KNOWN_CONFLICTS = List.of(
      new KnownConflict("iSCSIdatasn.iSCSIDataSnInvalid",
          "its asserts pass (CUnit: passed), but each WRITE(10) it sends with bad DataSNs is "
              + "sent with EXPECT_STATUS_GOOD, so the refusal the test expects prints [FAILED]",
          p -> false,
          p -> true,
          o -> o.cunitPassed() && !o.failedLines().isEmpty() && o.failedLines().stream()
              .allMatch(l -> l.startsWith("[FAILED] WRITE10 command failed with status"))),
      unmapVpd("WriteSame10"),
      unmapVpd("WriteSame16"),
      new KnownConflict("MultipathIO.Reset",
          "expects BUS DEVICE RESET FUNCTION OCCURRED on every nexus after a LUN RESET, "
              + "which Karst raises only with reset_ua 1; with it the Reserve6 and PreventAllow "
              + "reset tests fail",
          ConformanceE2EIT::resetUa,
          p -> !resetUa(p),
          o -> !o.cunitPassed() && o.failedLines().isEmpty() && !o.assertions().isEmpty()
              && o.assertions().stream().allMatch(a -> a.matches(
                  "test_multipathio_reset\\.c:\\d+\\s+- CU_ASSERT_NOT_EQUAL\\(num_uas,0\\)"))),
      new KnownConflict("GetLBAStatus.UnmapSingle",
          "its second loop asks GET LBA STATUS for LBA i+1 and requires the first descriptor "
              + "to start at i+LBPPB, while SBC-4 has it describe the LBA asked for: the two "
              + "agree only with one logical block per physical block",
          p -> thin(p) && !largerPhysicalBlock(p),
          p -> thin(p) && largerPhysicalBlock(p),
          o -> !o.cunitPassed() && o.failedLines().isEmpty() && o.assertions().size() == 1
              && o.assertions().get(0).matches("test_get_lba_status_unmap_single\\.c:135\\s+"
                  + "- CU_FAIL\\(\"\\[FAILED\\] GETLBASTATUS command: \" \"lba offset in "
                  + "first descriptor does not \" \"match request\\.\"\\)")),
      new KnownConflict("Sanitize.Reset",
          "it expects SANITIZE IN PROGRESS three seconds after its SANITIZE OVERWRITE and "
              + "again after a new login: a 256 MiB overwrite has ended by then, and with the "
              + "suite's second URL on the same LU its SANITIZE, TEST UNIT READY, START STOP "
              + "UNIT and READ(16) meet the RESERVE(6) Sanitize.Reservations took through the "
              + "second session and left held, until the test's own LUN RESET releases it",
          p -> false,
          p -> true,
          ConformanceE2EIT::sanitizeStillInProgressExpected));

  /**
   * Sanitize.Reset's documented failure: only its four checks for SANITIZE IN PROGRESS fail
   * (lines 97, 102, 107, 165 of test_sanitize_reset.c), each printing that the command
   * succeeded or ended with a status without sense data (the RESERVATION CONFLICT, which
   * libiscsi's message does not name). A pass is fine: an overwrite that outlasts the sleep.
   */
  private static boolean sanitizeStillInProgressExpected(Outcome o) {
    return o.verdict() == Verdict.PASS || !o.cunitPassed() && !o.failedLines().isEmpty()
        && o.assertions().size() == o.failedLines().size()
        && o.failedLines().stream().allMatch(l -> l.matches("\\[FAILED\\] "
            + "(TESTUNITREADY|STARTSTOPUNIT|READ16) (successful but should have failed|failed "
            + "with wrong sense\\. Should have failed) with NOT READY\\(0x02\\)/"
            + "SANITIZE_IN_PROGRESS\\(0x041b\\)( but failed with Sense: "
            + "\\(null\\)\\(0x00\\)/\\(0x0000\\))?"))
        && o.assertions().stream().allMatch(a -> a.matches(
            "test_sanitize_reset\\.c:(97|102|107|165)\\s+- CU_ASSERT_EQUAL\\(_r,0\\)"));
  }

  private static KnownConflict unmapVpd(String suite) {
    String command = suite.toUpperCase();
    return new KnownConflict(suite + ".UnmapVPD",
        "a fully provisioned LU refuses the " + command + " with UNMAP the test tries first "
            + "(INVALID FIELD IN CDB), printed [FAILED] before the test checks, correctly, that "
            + "LBPWS is clear",
        ConformanceE2EIT::thin,
        p -> !thin(p),
        o -> o.cunitPassed() && o.failedLines().equals(List.of("[FAILED] " + command
            + " command failed with status 2 / sense key ILLEGAL_REQUEST(0x05) / ASCQ "
            + "INVALID_FIELD_IN_CDB(0x2400)")));
  }

  private static boolean thin(Profile p) {
    return p.attributes().contains("thin_provisioned 1");
  }

  /** Several logical blocks per physical block (blockio4k's are both 4096 bytes). */
  private static boolean largerPhysicalBlock(Profile p) {
    return p.attributes().contains("lb_per_pb_exp 1")
        && !p.attributes().contains("blocksize 4096");
  }

  private static boolean resetUa(Profile p) {
    return p.attributes().contains("reset_ua 1");
  }

  private static KarstServer server;
  private static Map<String, List<String>> suites;
  /** Per profile name: test → outcome. */
  private static final Map<String, Map<String, Outcome>> byProfile = new LinkedHashMap<>();
  private static Map<String, Outcome> merged;

  @BeforeAll
  static void runTheSuiteOnEveryProfile() throws Exception {
    KarstServer.requireTools("iscsi-test-cu");
    suites = Conformance.tests();
    StringBuilder devices = new StringBuilder();
    List<String> targets = new ArrayList<>();
    for (String handler : PROFILES.stream().map(Profile::handler).distinct().toList()) {
      devices.append(KarstServer.handler(handler, PROFILES.stream()
          .filter(p -> p.handler().equals(handler)).map(Profile::device)
          .toArray(String[]::new)));
    }
    for (Profile p : PROFILES) {
      targets.add(KarstServer.target(p.iqn(), "LUN 0 " + p.name()));
    }
    // Assigned before it starts, so that a start that fails still stops it (@AfterAll).
    server = KarstServer.unpack("conformance", PORT,
        devices + KarstServer.iscsi(PORT, targets.toArray(String[]::new)));
    server.start();
    Path logs = Path.of("target", "conformance-logs");
    StringBuilder timing = new StringBuilder();
    for (Profile p : PROFILES) {
      long start = System.nanoTime();
      Map<String, Outcome> results = new TreeMap<>();
      for (String suite : p.suites(suites.keySet())) {
        results.putAll(Conformance.run(suite, suites.get(suite), server.url(p.iqn(), 0),
            SUITE_TIMEOUT_SECONDS, logs.resolve(p.name()).resolve(suite + ".log")));
      }
      byProfile.put(p.name(), results);
      timing.append("%s: %d s%n".formatted(p.name(), (System.nanoTime() - start) / 1_000_000_000L));
    }
    merged = Conformance.merge(new ArrayList<>(byProfile.values()));
    String report = report(timing.toString());
    Files.writeString(Path.of("target", "conformance-report.txt"), report);
    Files.writeString(Path.of("target", "conformance.json"), json());
    // In the test's output (target/failsafe-reports), for who reads a failure.
    System.out.println(report);
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void everyTestOfTheSuiteHasAVerdict() {
    Set<String> all = suites.values().stream().flatMap(List::stream)
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(all).as("iscsi-test-cu -l").hasSizeGreaterThan(200);
    assertThat(merged.keySet()).isEqualTo(all);
  }

  @Test
  void noTestFailsOrHangsButTheKnownConflicts() {
    Set<String> conflicts = KNOWN_CONFLICTS.stream().map(KnownConflict::test)
        .collect(Collectors.toSet());
    Map<String, String> failing = new TreeMap<>();
    merged.forEach((test, o) -> {
      if (o.verdict().compareTo(Verdict.FAIL) >= 0 && !conflicts.contains(test)) {
        failing.put(test, o.verdict() + " " + o.detail());
      }
    });
    assertThat(failing).as("see target/conformance-report.txt").isEmpty();
  }

  @Test
  void eachKnownConflictFailsOnlyInItsDocumentedWay() {
    List<String> wrong = new ArrayList<>();
    for (KnownConflict c : KNOWN_CONFLICTS) {
      wrong.addAll(c.departures());
    }
    assertThat(wrong).as("see target/conformance-report.txt").isEmpty();
  }

  @Test
  void everySkipIsExplained() {
    Map<String, String> unexplained = new TreeMap<>();
    merged.forEach((test, o) -> {
      if (o.verdict() == Verdict.SKIP && explanation(test, o) == null) {
        unexplained.put(test, o.detail());
      }
    });
    assertThat(unexplained).as("skips docs/conformance.md does not explain").isEmpty();
  }

  @Test
  void theDocumentationNamesTheSameSkipsAndConflicts() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "conformance.md"));
    assertThat(firstColumn(doc, "Skips left")).isEqualTo(EXPLAINED_SKIPS.stream()
        .map(ExplainedSkip::tests).collect(Collectors.toCollection(TreeSet::new)));
    assertThat(firstColumn(doc, "Known conflicts of the suite")).isEqualTo(KNOWN_CONFLICTS
        .stream().map(KnownConflict::test).collect(Collectors.toCollection(TreeSet::new)));
  }

  /** The first column's {@code `names`} of the first table under the heading {@code title}. */
  private static Set<String> firstColumn(String doc, String title) {
    Matcher section = Pattern.compile("(?ms)^#+ " + Pattern.quote(title) + "\\s*$(.*?)(^#|\\z)")
        .matcher(doc);
    assertThat(section.find()).as("docs/conformance.md has a section \"" + title + "\"").isTrue();
    Set<String> names = new TreeSet<>();
    Matcher row = Pattern.compile("(?m)^\\| `([^`]+)`").matcher(section.group(1));
    while (row.find()) {
      names.add(row.group(1));
    }
    return names;
  }

  private static ExplainedSkip explanation(String test, Outcome o) {
    return EXPLAINED_SKIPS.stream().filter(s -> s.covers(test))
        .filter(s -> Pattern.compile(s.reason()).matcher(o.detail()).find())
        .findFirst().orElse(null);
  }

  private static String report(String timing) {
    StringBuilder b = new StringBuilder("libiscsi conformance (iscsi-test-cu), per LU profile\n");
    for (Profile p : PROFILES) {
      b.append("\n== ").append(p.name()).append(": ").append(p.handler()).append(' ')
          .append(String.join(", ", p.attributes())).append('\n');
      p.exclusions(suites.keySet()).forEach((reason, names) ->
          b.append("not run: ").append(String.join(" ", names)).append(" (").append(reason)
              .append(")\n"));
      b.append(Conformance.report(byProfile.get(p.name())));
    }
    b.append("\n== merged (PASS: passed on one profile, failed on none)\n")
        .append(Conformance.report(merged));
    b.append("\n== known conflicts of the suite\n");
    for (KnownConflict c : KNOWN_CONFLICTS) {
      b.append(c.test()).append(": ").append(c.why()).append('\n');
      byProfile.forEach((profile, results) -> {
        Outcome o = results.get(c.test());
        if (o != null) {
          b.append("  %-10s %s %s%n".formatted(profile, o.verdict(),
              o.verdict() == Verdict.PASS ? "" : o.detail()));
        }
      });
      c.departures().forEach(d -> b.append("  NOT AS DOCUMENTED: ").append(d).append('\n'));
    }
    b.append("\n== skips\n");
    merged.forEach((test, o) -> {
      if (o.verdict() == Verdict.SKIP) {
        ExplainedSkip s = explanation(test, o);
        b.append("%-45s %s%n".formatted(test, s == null ? "UNEXPLAINED: " + o.detail()
            : s.why()));
      }
    });
    for (ExplainedSkip s : EXPLAINED_SKIPS) {
      merged.forEach((test, o) -> {
        if (s.covers(test) && o.verdict() == Verdict.PASS) {
          b.append("%-45s passes now: remove it from the explained skips%n".formatted(test));
        }
      });
    }
    return b.append("\n== time\n").append(timing).toString();
  }

  private static String json() {
    StringBuilder b = new StringBuilder("{\n \"profiles\": {");
    String sep = "\n";
    for (Profile p : PROFILES) {
      b.append(sep).append("  ").append(Conformance.quote(p.name())).append(": {\"handler\": ")
          .append(Conformance.quote(p.handler())).append(", \"attributes\": [")
          .append(p.attributes().stream().map(Conformance::quote)
              .collect(Collectors.joining(", ")))
          .append("],\n   \"summary\": ")
          .append(Conformance.quote(Conformance.summary(byProfile.get(p.name()))))
          .append(",\n   \"tests\": ").append(Conformance.json(byProfile.get(p.name()), "   "))
          .append('}');
      sep = ",\n";
    }
    return b.append("\n },\n \"merged\": {\"summary\": ")
        .append(Conformance.quote(Conformance.summary(merged))).append(",\n  \"tests\": ")
        .append(Conformance.json(merged, "  ")).append("}\n}\n").toString();
  }

  /**
   * A LU profile: the device {@code name} of a handler with these attribute lines, the only
   * LUN of its own target. Suites that cannot pass on it by design are not run there, each
   * with the reason; {@code only}, when not empty, names the only suites it runs.
   */
  record Profile(String name, String handler, List<String> attributes, Set<String> only,
      String onlyReason, Map<String, String> excluded) {

    static Profile of(String name, String handler, String... attributes) {
      return new Profile(name, handler, List.of(attributes), Set.of(), "", Map.of());
    }

    Profile excluding(String reason, String... suites) {
      Map<String, String> more = new TreeMap<>(excluded);
      for (String s : suites) {
        more.put(s, reason);
      }
      return new Profile(name, handler, attributes, only, onlyReason, more);
    }

    Profile only(String suite, String reason) {
      return new Profile(name, handler, attributes, Set.of(suite), reason, excluded);
    }

    String iqn() {
      return "iqn.2026-11.io.karst:conformance-" + name;
    }

    /** The DEVICE block: a file handler's image is created fresh with the server. */
    String device() {
      List<String> lines = new ArrayList<>();
      if (!handler.equals("vdisk_nullio")) {
        lines.add("filename " + name + ".img");
        lines.add("create 1");
      }
      lines.addAll(attributes);
      return "  DEVICE " + name + " {\n" + lines.stream().map(l -> "    " + l + "\n")
          .collect(Collectors.joining()) + "  }\n";
    }

    /** The suites it runs, of all iscsi-test-cu lists; a suite it names must exist. */
    List<String> suites(Set<String> all) {
      assertThat(all).as(name + "'s suites exist").containsAll(excluded.keySet())
          .containsAll(only);
      return all.stream().filter(s -> only.isEmpty() ? !excluded.containsKey(s)
          : only.contains(s)).toList();
    }

    /** The suites it does not run, by reason. */
    Map<String, List<String>> exclusions(Set<String> all) {
      Map<String, List<String>> byReason = new LinkedHashMap<>();
      for (String s : all) {
        String reason = !only.isEmpty() ? (only.contains(s) ? null : onlyReason)
            : excluded.get(s);
        if (reason != null) {
          byReason.computeIfAbsent(reason, r -> new ArrayList<>()).add(s);
        }
      }
      return byReason;
    }
  }

  /** A skip docs/conformance.md explains: tests ("Suite.Test" or "Suite.*"), reason, why. */
  record ExplainedSkip(String tests, String reason, String why) {

    boolean covers(String test) {
      return tests.endsWith(".*") ? test.startsWith(tests.substring(0, tests.length() - 1))
          : test.equals(tests);
    }
  }

  /**
   * A test the suite fails by a conflict of its own: why, the profiles it passes on, those it
   * fails on in its documented way, and that way.
   */
  record KnownConflict(String test, String why, Predicate<Profile> passesOn,
      Predicate<Profile> failsOn, Predicate<Outcome> documentedFailure) {

    /** Where the test did not do what the documentation says, one line each. */
    List<String> departures() {
      List<String> wrong = new ArrayList<>();
      for (Profile p : PROFILES) {
        Outcome o = byProfile.getOrDefault(p.name(), Map.of()).get(test);
        if (o == null) {
          continue;
        }
        if (passesOn.test(p) && o.verdict() != Verdict.PASS) {
          wrong.add(test + " on " + p.name() + ": " + o.verdict() + " " + o.detail()
              + ", documented to pass there");
        } else if (failsOn.test(p) && !documentedFailure.test(o)) {
          wrong.add(test + " on " + p.name() + ": " + o.verdict() + " " + o.detail()
              + " " + o.assertions() + ", not the documented failure (" + why + ")");
        } else if (!passesOn.test(p) && !failsOn.test(p)
            && o.verdict().compareTo(Verdict.FAIL) >= 0) {
          wrong.add(test + " on " + p.name() + ": " + o.verdict() + " " + o.detail()
              + ", documented not to fail there");
        }
      }
      if (PROFILES.stream().filter(passesOn).noneMatch(p -> byProfile.getOrDefault(p.name(),
          Map.of()).containsKey(test)) && PROFILES.stream().anyMatch(passesOn)) {
        wrong.add(test + " ran on no profile it is documented to pass on");
      }
      return wrong;
    }
  }
}
