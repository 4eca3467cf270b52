package io.karst.core.internal;

import io.karst.api.mgmt.AttributeDescriptor;
import io.karst.api.target.DriverContext;
import io.karst.api.target.TargetDriver;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A target driver for tests: a name, attributes (none unless given), and what to do when core
 * starts it.
 */
final class ProbeDriver implements TargetDriver {

  /** What happens at start; may fail, as a real driver's bind may. */
  interface Start {
    void run(DriverContext context) throws Exception;
  }

  /** What the driver does with an attribute set in place; may fail, as a bind may. */
  interface Setter {
    void run(String attribute, String value) throws Exception;
  }

  private final String name;
  private final Start start;
  List<AttributeDescriptor> attributes = List.of();
  List<AttributeDescriptor> targetAttributes = List.of();
  List<AttributeDescriptor> sessionAttributes = List.of();
  List<AttributeDescriptor> connectionAttributes = List.of();
  /** How many times core told the driver its targets changed. */
  final AtomicInteger targetsChanged = new AtomicInteger();
  volatile DriverContext context;
  /** What the driver refuses of its own attributes, and of a target's (by its name). */
  Consumer<Map<String, String>> attributesCheck = a -> { };
  BiConsumer<String, Map<String, String>> targetCheck = (n, a) -> { };
  /** Attributes set in place; null for the interface's default, which refuses. */
  Setter set;

  ProbeDriver(String name, Start start) {
    this.name = name;
    this.start = start;
  }

  ProbeDriver(String name) {
    this(name, c -> { });
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<AttributeDescriptor> attributes() {
    return attributes;
  }

  @Override
  public List<AttributeDescriptor> targetAttributes() {
    return targetAttributes;
  }

  @Override
  public List<AttributeDescriptor> sessionAttributes() {
    return sessionAttributes;
  }

  @Override
  public List<AttributeDescriptor> connectionAttributes() {
    return connectionAttributes;
  }

  @Override
  public void targetsChanged() {
    targetsChanged.incrementAndGet();
  }

  @Override
  public void checkAttributes(Map<String, String> attributes) {
    attributesCheck.accept(attributes);
  }

  @Override
  public void checkTarget(String name, Map<String, String> attributes,
      Map<String, String> driverAttributes) {
    targetCheck.accept(name, attributes);
  }

  @Override
  public void set(String attribute, String value) throws Exception {
    if (set == null) {
      TargetDriver.super.set(attribute, value);
    } else {
      set.run(attribute, value);
    }
  }

  @Override
  public void start(DriverContext c) throws Exception {
    context = c;
    start.run(c);
  }

  @Override
  public void stop() {}
}
