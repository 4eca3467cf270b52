package io.karst.local.internal;

import io.karst.api.local.LocalInitiator;
import io.karst.api.local.LocalSession;
import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.target.DriverContext;
import io.karst.api.target.SessionException;
import io.karst.api.target.SessionException.Reason;
import io.karst.api.target.TargetDriver;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Component;

/**
 * Target driver {@code local}, SCST's scst_local: the initiator is Java code in the same JVM.
 * It is at once the driver core starts and the {@link LocalInitiator} service applications
 * log in through.
 */
@Component(service = {TargetDriver.class, LocalInitiator.class})
public final class LocalTargetDriver implements TargetDriver, LocalInitiator {

  private final Set<LocalNexus> sessions = ConcurrentHashMap.newKeySet();
  private volatile DriverContext context;

  @Override
  public String name() {
    return DRIVER;
  }

  @Override
  public List<AttributeDescriptor> attributes() {
    return List.of();
  }

  @Override
  public List<AttributeDescriptor> targetAttributes() {
    return List.of();
  }

  @Override
  public void start(DriverContext started) {
    context = started;
  }

  @Override
  public void stop() {
    context = null;
    for (LocalNexus s : List.copyOf(sessions)) {
      s.close();
    }
  }

  @Override
  public LocalSession login(String target, String initiator) throws SessionException {
    DriverContext c = context;
    if (c == null) {
      throw new SessionException(Reason.TARGET_NOT_FOUND,
          "target driver " + DRIVER + " is not started (is it enabled in the configuration?)");
    }
    LocalNexus[] self = new LocalNexus[1];
    var session = c.openSession(target, initiator, reason -> self[0].close());
    LocalNexus nexus = new LocalNexus(session, sessions::remove);
    self[0] = nexus;
    sessions.add(nexus);
    return nexus;
  }
}
