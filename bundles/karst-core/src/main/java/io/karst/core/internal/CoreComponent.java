package io.karst.core.internal;

import io.karst.api.device.DeviceHandler;
import io.karst.api.mgmt.Management;
import io.karst.api.target.TargetDriver;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Core as a Declarative Services component: tracks every {@link DeviceHandler} and
 * {@link TargetDriver} service (a whiteboard: core imports no driver or handler package),
 * forwards them to the {@link Engine}, and registers the engine as {@link Management}.
 *
 * <p>The configuration is {@code karst.config} if that property is set, else
 * {@code ${karaf.etc}/karst.conf}; the data directory, against which relative file names
 * resolve, is {@code karst.data}, else {@code ${karaf.data}/karst}. Every change made through
 * management is written back to the configuration, and edits of it are applied as they are
 * saved.
 */
@Component(immediate = true, service = {})
public final class CoreComponent {

  private static final System.Logger LOG = System.getLogger(CoreComponent.class.getName());

  /** Services that arrive before activation, replayed once the engine exists. */
  private final List<Consumer<Engine>> early = new ArrayList<>();
  private Engine engine;
  private ServiceRegistration<Management> registration;
  private JmxExporter jmx;

  @Activate
  void activate(BundleContext context) throws IOException {
    Path config =
        Path.of(property(context, "karst.config", "karaf.etc", "karst.conf", "karst.conf"));
    Path data = Path.of(property(context, "karst.data", "karaf.data", "karst", "data/karst"));
    Files.createDirectories(data);
    Engine e = new Engine(data);
    boolean loaded = false;
    try {
      e.load(config);
      loaded = true;
    } catch (ConfigException ex) {
      LOG.log(Level.ERROR, ex.getMessage() + "; Karst runs with nothing configured until "
          + "the file is fixed");
    }
    try {
      e.persist(config, loaded);
    } catch (IOException ex) {
      LOG.log(Level.ERROR, config + " cannot be watched (" + ex.getMessage() + "); changes "
          + "made through management are not saved");
    }
    // Replayed under the lock that forward() takes, so that a service leaving while this runs
    // is seen after its arrival, never before.
    synchronized (this) {
      engine = e;
      early.forEach(r -> r.accept(e));
      early.clear();
    }
    registration = context.registerService(Management.class, e, null);
    jmx = new JmxExporter(ManagementFactory.getPlatformMBeanServer(), e);
    jmx.start();
    LOG.log(Level.INFO, "Karst core started: configuration " + config + ", data " + data);
  }

  private static String property(BundleContext context, String own, String karaf, String leaf,
      String fallback) {
    String value = context.getProperty(own);
    if (value != null) {
      return value;
    }
    String base = context.getProperty(karaf);
    return base != null ? Path.of(base, leaf).toString() : fallback;
  }

  @Deactivate
  void deactivate() {
    jmx.stop();
    registration.unregister();
    Engine e;
    synchronized (this) {
      e = engine;
      engine = null;
    }
    e.close();
  }

  /**
   * Hands a service event to the engine, or queues it until activation. Events are applied one
   * at a time in the order DS delivers them; the engine itself keeps slow work (opening
   * devices, starting drivers) off this thread.
   */
  private synchronized void forward(Consumer<Engine> action) {
    if (engine == null) {
      early.add(action);
    } else {
      action.accept(engine);
    }
  }

  @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void addHandler(DeviceHandler handler) {
    forward(e -> e.addHandler(handler));
  }

  void removeHandler(DeviceHandler handler) {
    forward(e -> e.removeHandler(handler));
  }

  @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void addDriver(TargetDriver driver) {
    forward(e -> e.addDriver(driver));
  }

  void removeDriver(TargetDriver driver) {
    forward(e -> e.removeDriver(driver));
  }
}
