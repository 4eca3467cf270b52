package io.karst.api.mgmt;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One configurable attribute of a driver, a target, a handler's device or any other managed
 * object, described by the code that owns it so that the shell, the configuration file, JMX
 * and later tools handle it without knowing that code (SCST's self-documenting sysfs).
 *
 * <p>A <em>create parameter</em> may be given when the object is created (SCST's
 * {@code add_device disk0 filename=...}); a <em>writable</em> attribute may also be changed
 * while the object lives. An attribute whose value differs from its default is a <em>key</em>
 * attribute and belongs in a saved configuration.
 */
public final class AttributeDescriptor {

  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGT]?)(I?B)?");

  private final String name;
  private final AttributeType type;
  private final String defaultValue;
  private final boolean createParameter;
  private final boolean writable;
  private final boolean required;
  private final String description;

  private AttributeDescriptor(Builder b) {
    this.name = b.name;
    this.type = b.type;
    this.defaultValue = b.defaultValue;
    this.createParameter = b.createParameter;
    this.writable = b.writable;
    this.required = b.required;
    this.description = b.description;
  }

  /** Starts a descriptor for an attribute of this name and type. */
  public static Builder builder(String name, AttributeType type) {
    return new Builder(name, type);
  }

  public String name() {
    return name;
  }

  public AttributeType type() {
    return type;
  }

  /** The value when none is given, or null when the attribute has no default. */
  public String defaultValue() {
    return defaultValue;
  }

  /** Whether the attribute may be given when the object is created. */
  public boolean createParameter() {
    return createParameter;
  }

  /** Whether the attribute may be changed while the object lives. */
  public boolean writable() {
    return writable;
  }

  /** Whether creating the object without this attribute is an error. */
  public boolean required() {
    return required;
  }

  public String description() {
    return description;
  }

  /**
   * Checks a value against this attribute's type and returns it in canonical form: booleans
   * as 0 or 1, sizes in bytes, integers without leading zeros.
   *
   * @throws IllegalArgumentException naming the attribute and what is wrong with the value
   */
  public String canonical(String value) {
    if (value == null) {
      throw new IllegalArgumentException(name + ": a value is required");
    }
    String v = value.trim();
    switch (type) {
      case BOOLEAN:
        return parseBoolean(v) ? "1" : "0";
      case INTEGER:
        try {
          return Long.toString(Long.parseLong(v));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(name + ": '" + value + "' is not an integer");
        }
      case SIZE:
        return Long.toString(parseSize(v));
      case PATH:
      case STRING:
      default:
        if (v.isEmpty() && required) {
          throw new IllegalArgumentException(name + ": a value is required");
        }
        return v;
    }
  }

  private boolean parseBoolean(String v) {
    switch (v.toLowerCase(Locale.ROOT)) {
      case "1":
      case "true":
      case "yes":
      case "on":
        return true;
      case "0":
      case "false":
      case "no":
      case "off":
        return false;
      default:
        throw new IllegalArgumentException(name + ": '" + v + "' is not 0 or 1");
    }
  }

  private long parseSize(String v) {
    var m = SIZE.matcher(v.toUpperCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          name + ": '" + v + "' is not a size (bytes, or a number with K, M, G or T)");
    }
    int shift = "KMGT".indexOf(m.group(2).isEmpty() ? "?" : m.group(2));
    shift = shift < 0 ? 0 : (shift + 1) * 10;
    try {
      long n = Long.parseLong(m.group(1));
      if (shift > 0 && n > (Long.MAX_VALUE >> shift)) {
        throw new NumberFormatException();
      }
      return n << shift;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": '" + v + "' is too large");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AttributeDescriptor d
        && d.name.equals(name)
        && d.type == type
        && Objects.equals(d.defaultValue, defaultValue)
        && d.createParameter == createParameter
        && d.writable == writable
        && d.required == required
        && d.description.equals(description);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + type.hashCode();
  }

  @Override
  public String toString() {
    return name + " (" + type.name().toLowerCase(Locale.ROOT) + ")";
  }

  /** Builds an {@link AttributeDescriptor}; only name and type are mandatory. */
  public static final class Builder {
    private final String name;
    private final AttributeType type;
    private String defaultValue;
    private boolean createParameter;
    private boolean writable;
    private boolean required;
    private String description = "";

    private Builder(String name, AttributeType type) {
      this.name = Objects.requireNonNull(name, "name");
      this.type = Objects.requireNonNull(type, "type");
    }

    public Builder defaultValue(String value) {
      this.defaultValue = value;
      return this;
    }

    /** The attribute may be given at creation. */
    public Builder createParameter() {
      this.createParameter = true;
      return this;
    }

    /** The attribute may be changed at runtime. */
    public Builder writable() {
      this.writable = true;
      return this;
    }

    /** The attribute must be given at creation (implies a create parameter). */
    public Builder required() {
      this.required = true;
      this.createParameter = true;
      return this;
    }

    public Builder description(String text) {
      this.description = Objects.requireNonNull(text, "description");
      return this;
    }

    public AttributeDescriptor build() {
      AttributeDescriptor d = new AttributeDescriptor(this);
      if (defaultValue != null) {
        d.canonical(defaultValue);
      }
      return d;
    }
  }
}
