package io.karst.itests;

import static io.karst.itests.ServerIT.await;
import static io.karst.itests.ServerIT.call;
import static io.karst.itests.ServerIT.deviceState;
import static io.karst.itests.ServerIT.readUntilGood;
import static io.karst.itests.ServerIT.service;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.karst.api.local.LocalInitiator;
import io.karst.api.local.LocalResult;
import io.karst.api.local.LocalSession;
import io.karst.api.mgmt.Management;
import io.karst.api.mgmt.Management.ApplyReport;
import io.karst.api.mgmt.Management.DeviceState;
import io.karst.api.mgmt.ManagementException;
import io.karst.api.scsi.Status;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The configuration file through the Management service of a running server: applied to an
 * empty system, then a changed file applied as a difference under a live session, the written
 * configuration applied back as a no-op, a broken file refused with its line, and every change
 * saved to etc/karst.conf.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConfigurationIT {

  private static final String TARGET = "iqn.2026-11.io.karst:configuration";
  private static final String FIRST = """
      HANDLER vdisk_fileio {
      	DEVICE cdisk0 {
      		filename cdisk0.img
      		size 16M
      		create 1
      	}
      }

      TARGET_DRIVER iscsi {
      	enabled 1
      	portals 127.0.0.1:13266

      	TARGET %s {
      		enabled 1
      		LUN 0 cdisk0
      	}
      }

      TARGET_DRIVER local {
      	enabled 1

      	TARGET local-config {
      		enabled 1
      		LUN 0 cdisk0
      	}
      }
      """.formatted(TARGET);
  /** The first file with a second device and LUN, and a target attribute changed in place. */
  private static final String SECOND = FIRST
      .replace("}\n\nTARGET_DRIVER iscsi", "\tDEVICE cdisk1 {\n\t\tfilename cdisk1.img\n"
          + "\t\tsize 8M\n\t\tcreate 1\n\t}\n}\n\nTARGET_DRIVER iscsi")
      .replace("\t\tLUN 0 cdisk0\n\t}\n}\n\nTARGET_DRIVER local",
          "\t\talias changed\n\t\tLUN 0 cdisk0\n\t\tLUN 1 cdisk1\n\t}\n}\n\nTARGET_DRIVER local")
      .replace("\t\tLUN 0 cdisk0\n\t}\n}\n", "\t\tLUN 0 cdisk0\n\t\tLUN 1 cdisk1\n\t}\n}\n");

  @org.ops4j.pax.exam.Configuration
  public Option[] config() {
    return ServerIT.options(new File("src/test/resources/itest-empty.conf"));
  }

  /** The serial number (VPD page 80h) a LUN reports. */
  private static String serial(LocalSession s) throws Exception {
    LocalResult r;
    do {
      r = call(s, new byte[] {0x12, 1, (byte) 0x80, 0, (byte) 255, 0}, null, 255);
    } while (!r.good());
    byte[] d = r.dataIn();
    return new String(d, 4, d[3] & 0xFF, java.nio.charset.StandardCharsets.US_ASCII);
  }

  @Test
  public void aFileAppliedToAnEmptySystemThenAChangedOneAsADifference() throws Exception {
    Management mgmt = service(Management.class);
    Path file = Path.of(System.getProperty("karaf.etc"), "karst.conf");
    await("the local driver registered", () -> mgmt.drivers().stream()
        .anyMatch(d -> d.name().equals("local") && d.registered()));
    await("vdisk registered", () -> mgmt.handlers().stream()
        .anyMatch(h -> h.name().equals("vdisk_fileio") && h.registered()));
    assertTrue(mgmt.devices().isEmpty());

    ApplyReport first = mgmt.apply(FIRST, "first.conf", false, false);
    assertTrue(first.plan().toString(), first.plan().contains("add device cdisk0 (handler "
        + "vdisk_fileio)"));
    await("cdisk0 online", () -> deviceState(mgmt, "cdisk0") == DeviceState.ONLINE);
    assertEquals("saved at once", mgmt.write(false), Files.readString(file));

    try (LocalSession session =
        service(LocalInitiator.class).login("local-config", "iqn.2026-11.io.karst:config-host")) {
      byte[] pattern = new byte[512];
      Arrays.fill(pattern, (byte) 0x6B);
      assertEquals(Status.GOOD, call(session, ServerIT.write10(8, 1), pattern, 0).status());
      String serial = serial(session);

      ApplyReport second = mgmt.apply(SECOND, "second.conf", false, false);
      assertTrue(second.notApplied().toString(), second.notApplied().isEmpty());
      assertEquals(java.util.List.of("add device cdisk1 (handler vdisk_fileio)",
          "set target iscsi/" + TARGET + " alias",
          "add LUN 1 cdisk1 to target iscsi/" + TARGET,
          "add LUN 1 cdisk1 to target local/local-config"), second.plan());
      assertArrayEquals("the session kept its nexus and cdisk0 its data", pattern,
          readUntilGood(session).dataIn());
      assertEquals("cdisk0 was not reopened: the same identity", serial, serial(session));
      assertTrue(mgmt.sessions().stream()
          .anyMatch(s -> s.initiator().equals("iqn.2026-11.io.karst:config-host")));
      await("cdisk1 online", () -> deviceState(mgmt, "cdisk1") == DeviceState.ONLINE);
      assertEquals("LUN 1 reaches the session", Status.GOOD, readLun1(session).status());
    }

    String written = mgmt.write(false);
    assertEquals(written, Files.readString(file));
    ApplyReport again = mgmt.apply(written, "written.conf", true, false);
    assertTrue("the written configuration is the running one: " + again.plan(),
        again.plan().isEmpty());
    assertEquals(written, mgmt.write(false));

    try {
      mgmt.apply(SECOND.replace("LUN 1 cdisk1\n\t}\n}\n\nTARGET_DRIVER local",
          "LUN 1 cdisk1\n\t\tLUN 2 nodisk\n\t}\n}\n\nTARGET_DRIVER local"), "broken.conf", true,
          false);
      fail("a LUN of an unknown device is refused");
    } catch (ManagementException e) {
      assertTrue(e.getMessage(), e.getMessage().startsWith("broken.conf:23: LUN 2 refers to "
          + "unknown device nodisk"));
    }
    assertEquals("nothing changed", written, mgmt.write(false));
    assertFalse(mgmt.targets().stream().anyMatch(t -> t.luns().size() > 2));
  }

  private static LocalResult readLun1(LocalSession s) throws Exception {
    LocalResult r;
    int tries = 0;
    do {
      r = s.execute(1, ServerIT.read10(0, 1), null, 512).toCompletableFuture()
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
    } while (!r.good() && ++tries < 5);
    return r;
  }
}
