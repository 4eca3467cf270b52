package io.karst.itests;

import static io.karst.itests.ServerIT.await;
import static io.karst.itests.ServerIT.service;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.karst.api.local.LocalInitiator;
import io.karst.api.local.LocalSession;
import io.karst.api.mgmt.Management;
import io.karst.api.mgmt.Management.AttributeInfo;
import io.karst.api.mgmt.ManagementException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Each management command of the karst shell scope run in the real server, as an
 * administrator types it, and its effect read back from the management tree.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ManagementShellIT {

  private static final long WAIT_MS = 30_000;
  private static final String TARGET = "iqn.2026-11.io.karst:shell";
  private static final String T = "/targets/iscsi/" + TARGET;

  @org.ops4j.pax.exam.Configuration
  public Option[] config() {
    return ServerIT.options(new File("src/test/resources/itest-karst.conf"));
  }

  @Test
  public void devicesTargetsLunsGroupsAndInitiators() throws Exception {
    Management mgmt = service(Management.class);
    awaitCommand("karst:device-list");

    karaf("karst:device-add vdisk_fileio shell0 filename=shell0.img size=8M create=1");
    assertEquals("vdisk_fileio", mgmt.devices().stream()
        .filter(d -> d.name().equals("shell0")).findFirst().orElseThrow().handler());
    karaf("karst:device-resync shell0");
    karaf("karst:attr-set /devices/shell0 t10_vend_id ACME");
    assertEquals("ACME", value(mgmt, "/devices/shell0", "t10_vend_id"));
    assertEquals("ACME\n", karaf("karst:attr-get /devices/shell0 t10_vend_id"));

    karaf("karst:target-add iscsi " + TARGET + " \"IncomingUser=joe chapsecret1234\"");
    assertEquals("joe ***", value(mgmt, T, "IncomingUser"));
    karaf("karst:attr-set " + T + " IncomingUser \"ann otherchapsecret\" \"joe chapsecret1234\"");
    assertEquals("ann ***\njoe ***", value(mgmt, T, "IncomingUser"));
    assertEquals("0", value(mgmt, T, "enabled"));
    karaf("karst:target-enable " + TARGET);
    assertEquals("1", value(mgmt, T, "enabled"));

    karaf("karst:lun-add " + TARGET + " 0 shell0");
    karaf("karst:lun-add --read-only " + TARGET + " 1 null0");
    assertEquals(List.of("0", "1"), mgmt.object(T + "/luns").children());
    assertEquals("1", value(mgmt, T + "/luns/1", "read_only"));
    karaf("karst:lun-replace " + TARGET + " 1 disk0");
    assertEquals("disk0", value(mgmt, T + "/luns/1", "device"));
    karaf("karst:lun-remove " + TARGET + " 1");
    assertEquals(List.of("0"), mgmt.object(T + "/luns").children());

    karaf("karst:group-add " + TARGET + " esx");
    karaf("karst:group-add " + TARGET + " old");
    karaf("karst:initiator-add " + TARGET + " esx iqn.1998-01.com.vmware:*");
    karaf("karst:initiator-add " + TARGET + " esx !iqn.1998-01.com.vmware:old?");
    karaf("karst:lun-add --group esx " + TARGET + " 3 shell0");
    String groups = T + "/ini_groups";
    assertEquals(List.of("iqn.1998-01.com.vmware:*", "!iqn.1998-01.com.vmware:old?"),
        mgmt.object(groups + "/esx/initiators").children());
    assertEquals(List.of("3"), mgmt.object(groups + "/esx/luns").children());
    assertTrue(karaf("karst:group-list " + TARGET).contains("3=shell0"));
    karaf("karst:initiator-move " + TARGET + " esx !iqn.1998-01.com.vmware:old? old");
    assertEquals(List.of("!iqn.1998-01.com.vmware:old?"),
        mgmt.object(groups + "/old/initiators").children());
    karaf("karst:initiator-remove " + TARGET + " esx iqn.1998-01.com.vmware:*");
    assertEquals(List.of(), mgmt.object(groups + "/esx/initiators").children());
    karaf("karst:initiator-clear " + TARGET + " old");
    assertEquals(List.of(), mgmt.object(groups + "/old/initiators").children());
    karaf("karst:lun-clear --group esx " + TARGET);
    assertEquals(List.of(), mgmt.object(groups + "/esx/luns").children());
    karaf("karst:group-remove " + TARGET + " old");
    assertEquals(List.of("esx"), mgmt.object(groups).children());

    karaf("karst:dgroup-add dg");
    karaf("karst:dgroup-device-add dg shell0");
    karaf("karst:tgroup-add dg here group_id=5");
    karaf("karst:tgroup-target-add dg here " + TARGET);
    assertEquals(List.of("shell0"), mgmt.object("/device_groups/dg/devices").children());
    assertEquals(List.of(TARGET), mgmt.object("/device_groups/dg/target_groups/here").children());
    assertEquals("5", value(mgmt, "/device_groups/dg/target_groups/here", "group_id"));
    karaf("karst:tgroup-target-remove dg here " + TARGET);
    karaf("karst:tgroup-remove dg here");
    karaf("karst:dgroup-device-remove dg shell0");
    karaf("karst:dgroup-remove dg");
    assertEquals(List.of(), mgmt.object("/device_groups").children());

    String refused = refused("karst:lun-add " + TARGET + " 5 nosuchdevice");
    assertTrue(refused, refused.contains("nosuchdevice"));
    assertEquals(List.of("0"), mgmt.object(T + "/luns").children());

    karaf("karst:target-disable " + TARGET);
    assertEquals("0", value(mgmt, T, "enabled"));
    karaf("karst:lun-clear " + TARGET);
    karaf("karst:target-remove " + TARGET);
    assertTrue(mgmt.targets().stream().noneMatch(t -> t.name().equals(TARGET)));
    karaf("karst:device-remove shell0");
    assertTrue(mgmt.devices().stream().noneMatch(d -> d.name().equals("shell0")));
  }

  @Test
  public void sessionsDriversTreeAndConfigurationFiles() throws Exception {
    Management mgmt = service(Management.class);
    awaitCommand("karst:device-list");
    String sessions = "/targets/local/local-itest/sessions";
    LocalSession session = service(LocalInitiator.class)
        .login("local-itest", "iqn.2026-11.io.karst:shell-client");
    assertEquals(List.of("iqn.2026-11.io.karst:shell-client"), mgmt.object(sessions).children());
    karaf("karst:session-close local-itest iqn.2026-11.io.karst:shell-client");
    await("session closed", () -> mgmt.object(sessions).children().isEmpty());
    session.close();

    karaf("karst:driver-disable local");
    assertEquals("0", value(mgmt, "/targets/local", "enabled"));
    karaf("karst:driver-enable local");
    assertEquals("1", value(mgmt, "/targets/local", "enabled"));

    String show = karaf("karst:show /devices/disk0");
    assertTrue(show, show.contains("[key] create") && show.contains("resync_size"));
    assertTrue(karaf("karst:ls -r /targets").contains("/targets/local/local-itest/luns/0"));

    Path file = Files.createTempFile("karst-shell", ".conf");
    try {
      karaf("karst:config-write " + file);
      String written = Files.readString(file, StandardCharsets.UTF_8);
      assertTrue(written, written.contains("TARGET local-itest"));
      assertTrue(karaf("karst:config-check " + file).contains("no errors"));
      assertTrue(karaf("karst:config-apply --dry-run " + file).startsWith("nothing to do"));
      Files.writeString(file, written.replace("TARGET local-itest {",
          "TARGET local-itest {\n\t\tLUN 7 null0"));
      String plan = karaf("karst:config-apply " + file);
      assertTrue(plan, plan.startsWith("Applied:"));
      assertTrue(mgmt.object("/targets/local/local-itest/luns").children().contains("7"));
      Files.writeString(file, "TARGET_DRIVER local {\n  TARGET x {\n");
      String broken = refused("karst:config-check " + file);
      assertTrue(broken, broken.startsWith(file + ":"));
      List<String> luns = mgmt.object("/targets/local/local-itest/luns").children();
      assertTrue(refused("karst:config-apply --force " + file).startsWith(file + ":"));
      assertEquals(luns, mgmt.object("/targets/local/local-itest/luns").children());
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** Runs a shell command as an administrator types it, returning what it printed. */
  private static String karaf(String command) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    Session session = service(SessionFactory.class)
        .create(new ByteArrayInputStream(new byte[0]), print, print);
    try {
      session.execute(command);
    } catch (Exception e) {
      throw new AssertionError(command + " failed: " + e.getMessage() + "\n" + out, e);
    } finally {
      session.close();
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Runs a command that must be refused, returning the refusal's message. */
  private static String refused(String command) throws Exception {
    Session session = service(SessionFactory.class).create(
        new ByteArrayInputStream(new byte[0]), System.out, System.err);
    try {
      session.execute(command);
    } catch (Exception e) {
      return e.getMessage();
    } finally {
      session.close();
    }
    fail(command + " was not refused");
    return null;
  }

  /** Waits until the karst commands are registered (they wait for the Management service). */
  private static void awaitCommand(String command) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MS;
    while (true) {
      try {
        karaf(command);
        return;
      } catch (AssertionError e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  private static String value(Management mgmt, String path, String attribute) {
    return mgmt.object(path).attributes().stream().filter(a -> a.name().equals(attribute))
        .findFirst().map(AttributeInfo::value)
        .orElseThrow(() -> new ManagementException(path + " has no " + attribute));
  }

}
