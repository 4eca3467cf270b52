package io.karst.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemTimeout;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.replaceConfigurationFile;

import io.karst.api.device.DeviceHandler;
import io.karst.api.local.LocalInitiator;
import io.karst.api.local.LocalResult;
import io.karst.api.local.LocalSession;
import io.karst.api.mgmt.Management.DeviceState;
import io.karst.api.mgmt.Management.Scope;
import io.karst.api.mgmt.Management;
import io.karst.api.scsi.SenseKey;
import io.karst.api.scsi.Status;
import io.karst.api.target.TargetDriver;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.management.Attribute;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Boots the real server (the archive karaf-assembly builds) with Pax Exam and checks what
 * only a running Karaf shows: the features install, drivers and handlers register as services
 * that core picks up, and a handler bundle can leave and come back under a live session
 * without the iSCSI driver noticing.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ServerIT {

  private static final long WAIT_MS = 30_000;

  @org.ops4j.pax.exam.Configuration
  public Option[] config() {
    return options(new File("src/test/resources/itest-karst.conf"));
  }

  /** The server booted from the archive with this etc/karst.conf. */
  static Option[] options(File karstConf) {
    String archive = System.getProperty("karst.server.archive");
    return new Option[] {
      karafDistributionConfiguration()
          .frameworkUrl(new File(archive).toURI().toString())
          .name("Karst")
          .unpackDirectory(new File("target/exam"))
          .useDeployFolder(false),
      keepRuntimeFolder(),
      systemTimeout(120_000),
      configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
      logLevel(LogLevel.INFO),
      replaceConfigurationFile("etc/karst.conf", karstConf),
      editConfigurationFilePut(
          "etc/org.ops4j.pax.url.mvn.cfg",
          "org.ops4j.pax.url.mvn.localRepository",
          System.getProperty("maven.repo.local", "")),
    };
  }

  @Test
  public void driversAndHandlersAreRegisteredAndStarted() throws Exception {
    // The feature's bundles start in no fixed order: wait for the services, then check them.
    await("iscsi and local drivers registered",
        () -> names(TargetDriver.class, TargetDriver::name).containsAll(List.of("iscsi", "local")));
    await("vdisk and vcdrom handlers registered",
        () -> names(DeviceHandler.class, DeviceHandler::name)
            .containsAll(List.of("vdisk_fileio", "vdisk_nullio", "vcdrom")));
    List<String> drivers = names(TargetDriver.class, TargetDriver::name);
    List<String> handlers = names(DeviceHandler.class, DeviceHandler::name);
    assertTrue("drivers " + drivers, drivers.containsAll(List.of("iscsi", "local")));
    assertTrue("handlers " + handlers,
        handlers.containsAll(List.of("vdisk_fileio", "vdisk_nullio", "vcdrom")));

    Management mgmt = service(Management.class);
    await("iscsi driver started", () -> driverStarted(mgmt, "iscsi"));
    await("disk0 online", () -> deviceState(mgmt, "disk0") == DeviceState.ONLINE);
    await("null0 online", () -> deviceState(mgmt, "null0") == DeviceState.ONLINE);
  }

  @Test
  public void stoppingVdiskTakesItsDevicesOfflineAndBackWithoutTouchingTheDriver()
      throws Exception {
    Management mgmt = service(Management.class);
    await("disk0 online", () -> deviceState(mgmt, "disk0") == DeviceState.ONLINE);
    Bundle vdisk = bundle("karst-vdisk");
    Bundle iscsi = bundle("karst-iscsi");
    ServiceReference<TargetDriver> iscsiService = driverReference("iscsi");
    long iscsiServiceId = (Long) iscsiService.getProperty("service.id");

    try (LocalSession session =
        service(LocalInitiator.class).login("local-itest", "iqn.2026-11.io.karst:itest-client")) {
      byte[] pattern = new byte[512];
      for (int i = 0; i < pattern.length; i++) {
        pattern[i] = (byte) (i * 7 + 3);
      }
      LocalResult written = call(session, write10(8, 1), pattern, 0);
      assertEquals(Status.GOOD, written.status());

      vdisk.stop();
      await("disk0 offline", () -> deviceState(mgmt, "disk0") == DeviceState.OFFLINE);
      LocalResult offline = call(session, read10(8, 1), null, 512);
      assertEquals(Status.CHECK_CONDITION, offline.status());
      assertEquals(SenseKey.NOT_READY, offline.sense().key());

      assertEquals(Bundle.ACTIVE, iscsi.getState());
      assertEquals(iscsiServiceId, (long) (Long) driverReference("iscsi").getProperty("service.id"));
      assertTrue(driverStarted(mgmt, "iscsi"));

      vdisk.start();
      await("disk0 online again", () -> deviceState(mgmt, "disk0") == DeviceState.ONLINE);
      LocalResult back = readUntilGood(session);
      assertArrayEquals("the data written before the handler left", pattern, back.dataIn());
      assertEquals(
          "the iSCSI driver was never restarted",
          iscsiServiceId,
          (long) (Long) driverReference("iscsi").getProperty("service.id"));
    }
  }

  @Test
  public void statisticsAreCountedAndExportedOverJmx() throws Exception {
    Management mgmt = service(Management.class);
    await("disk0 online", () -> deviceState(mgmt, "disk0") == DeviceState.ONLINE);
    MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
    ObjectName core = new ObjectName("io.karst:type=Core");
    ObjectName disk0 = new ObjectName("io.karst:type=Device,name=\"disk0\"");
    await("core MBean", () -> jmx.isRegistered(core));
    jmx.setAttribute(core, new Attribute("LatencyMeasurement", true));
    assertTrue("switched through JMX", mgmt.latencyMeasurement());
    try (LocalSession session =
        service(LocalInitiator.class).login("local-itest", "iqn.2026-11.io.karst:jmx-client")) {
      long before = (Long) jmx.getAttribute(disk0, "Commands");
      assertEquals(Status.GOOD, call(session, read10(0, 4), null, 2048).status());
      assertEquals(before + 1, (long) (Long) jmx.getAttribute(disk0, "Commands"));
      assertTrue("execute stage timed",
          (Long) jmx.getAttribute(disk0, "ExecuteCount") >= 1);
      await("session MBean", () -> !queryNames(jmx, "io.karst:type=Session,*").isEmpty());
      assertTrue(mgmt.statistics().stream().anyMatch(s -> s.scope() == Scope.SESSION
          && s.name().contains("iqn.2026-11.io.karst:jmx-client") && s.readBytes() == 2048));
    } finally {
      jmx.setAttribute(core, new Attribute("LatencyMeasurement", false));
    }
    await("session MBean gone with the session",
        () -> queryNames(jmx, "io.karst:type=Session,*").isEmpty());
  }

  @Test
  public void managementTreeIsReadAndChangedOverJmx() throws Exception {
    Management mgmt = service(Management.class);
    MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
    ObjectName disk0 = new ObjectName("io.karst:type=device,name=disk0");
    ObjectName luns = new ObjectName("io.karst:type=luns,name="
        + ObjectName.quote("local/local-itest/luns"));
    await("tree MBeans", () -> jmx.isRegistered(disk0) && jmx.isRegistered(luns));
    assertEquals(16L << 20, jmx.getAttribute(disk0, "size"));
    String vendor = (String) jmx.getAttribute(disk0, "t10_vend_id");
    try {
      jmx.setAttribute(disk0, new Attribute("t10_vend_id", "ITEST"));
      assertEquals("ITEST", attribute(mgmt, "/devices/disk0", "t10_vend_id"));
      assertEquals("ITEST", jmx.getAttribute(disk0, "t10_vend_id"));
    } finally {
      jmx.setAttribute(disk0, new Attribute("t10_vend_id", vendor));
    }
    String[] line = {String.class.getName()};
    jmx.invoke(luns, "add", new Object[] {"5 null0 read_only=1"}, line);
    assertTrue(mgmt.object("/targets/local/local-itest/luns").children().contains("5"));
    jmx.invoke(luns, "del", new Object[] {"5"}, line);
    assertTrue(!mgmt.object("/targets/local/local-itest/luns").children().contains("5"));
  }

  private static String attribute(Management mgmt, String path, String name) {
    return mgmt.object(path).attributes().stream().filter(a -> a.name().equals(name))
        .findFirst().orElseThrow().value();
  }

  private static java.util.Set<ObjectName> queryNames(MBeanServer jmx, String pattern) {
    try {
      return jmx.queryNames(new ObjectName(pattern), null);
    } catch (javax.management.MalformedObjectNameException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Unit attentions may precede the first good answer after the device comes back. */
  static LocalResult readUntilGood(LocalSession session) throws Exception {
    LocalResult r = null;
    for (int i = 0; i < 5; i++) {
      r = call(session, read10(8, 1), null, 512);
      if (r.good()) {
        return r;
      }
      assertEquals("only unit attentions may come first: " + r.sense(),
          SenseKey.UNIT_ATTENTION, r.sense().key());
    }
    throw new AssertionError("no GOOD status after the device returned: " + r.sense());
  }

  static LocalResult call(LocalSession s, byte[] cdb, byte[] out, int in)
      throws Exception {
    return s.execute(0, cdb, out, in).toCompletableFuture().get(WAIT_MS, TimeUnit.MILLISECONDS);
  }

  static byte[] read10(long lba, int blocks) {
    return cdb10(0x28, lba, blocks);
  }

  static byte[] write10(long lba, int blocks) {
    return cdb10(0x2A, lba, blocks);
  }

  private static byte[] cdb10(int opcode, long lba, int blocks) {
    return new byte[] {
      (byte) opcode, 0, (byte) (lba >>> 24), (byte) (lba >>> 16), (byte) (lba >>> 8), (byte) lba,
      0, (byte) (blocks >>> 8), (byte) blocks, 0
    };
  }

  static DeviceState deviceState(Management mgmt, String device) {
    return mgmt.devices().stream()
        .filter(d -> d.name().equals(device))
        .map(Management.DeviceInfo::state)
        .findFirst()
        .orElse(null);
  }

  static boolean driverStarted(Management mgmt, String driver) {
    return mgmt.drivers().stream().anyMatch(d -> d.name().equals(driver) && d.started());
  }

  private static ServiceReference<TargetDriver> driverReference(String name) throws Exception {
    for (ServiceReference<TargetDriver> r : context().getServiceReferences(TargetDriver.class, null)) {
      if (name.equals(context().getService(r).name())) {
        return r;
      }
    }
    throw new AssertionError("no driver service " + name);
  }

  private static Bundle bundle(String symbolicName) {
    for (Bundle b : context().getBundles()) {
      if (symbolicName.equals(b.getSymbolicName())) {
        return b;
      }
    }
    throw new AssertionError("no bundle " + symbolicName);
  }

  /** The names of the registered services of a type. */
  private static <T> List<String> names(Class<T> type, java.util.function.Function<T, String> name) {
    List<String> names = new ArrayList<>();
    try {
      for (ServiceReference<T> r : context().getServiceReferences(type, null)) {
        T service = context().getService(r);
        if (service != null) {
          names.add(name.apply(service));
        }
      }
    } catch (org.osgi.framework.InvalidSyntaxException e) {
      throw new IllegalStateException(e);
    }
    return names;
  }

  static <T> T service(Class<T> type) throws InterruptedException {
    ServiceTracker<T, T> tracker = new ServiceTracker<>(context(), type, null);
    tracker.open();
    T service = tracker.waitForService(WAIT_MS);
    assertNotNull("no " + type.getSimpleName() + " service", service);
    return service;
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + WAIT_MS;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  private static BundleContext context() {
    return FrameworkUtil.getBundle(ServerIT.class).getBundleContext();
  }
}
