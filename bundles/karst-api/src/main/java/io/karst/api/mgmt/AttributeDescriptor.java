package io.karst.api.mgmt;

import java.util.List;
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
 *
 * <p>A <em>multi-valued</em> attribute may be given more than once (SCST's iSCSI
 * {@code IncomingUser}, one line per user). Its canonical value holds every value, each
 * checked on its own, in the order written, separated by a line feed: {@link #values} splits
 * it, {@link #join} builds it; a multi-valued attribute that is not given has no value. A
 * <em>secret</em> attribute's value ends in a secret (a password, after a user name):
 * listings show it {@linkplain #redacted redacted} and nothing logs it.
 */
public final class AttributeDescriptor {

  /** Separates the values of a multi-valued attribute in its canonical value. */
  private static final String SEPARATOR = "\n";
  /** What listings show in place of a secret. */
  public static final String REDACTED = "***";

  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGT]?)(I?B)?");

  private final String name;
  private final AttributeType type;
  private final String defaultValue;
  private final boolean createParameter;
  private final boolean writable;
  private final boolean required;
  private final String description;
  private final boolean multiValued;
  private final boolean secret;

  private AttributeDescriptor(Builder b) {
    this.name = b.name;
    this.type = b.type;
    this.defaultValue = b.defaultValue;
    this.createParameter = b.createParameter;
    this.writable = b.writable;
    this.required = b.required;
    this.description = b.description;
    this.multiValued = b.multiValued;
    this.secret = b.secret;
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

  /** Whether the attribute may be given more than once; see the class comment. */
  public boolean multiValued() {
    return multiValued;
  }

  /** Whether the attribute's values end in a secret that listings must not show. */
  public boolean secret() {
    return secret;
  }

  /**
   * The values of a canonical value in order: one for a single-valued attribute, every value
   * for a multi-valued one, none for null or the empty string.
   */
  public static List<String> values(String canonical) {
    return canonical == null || canonical.isEmpty() ? List.of()
        : List.of(canonical.split(SEPARATOR));
  }

  /** The canonical value of a multi-valued attribute from its values, each canonical. */
  public static String join(List<String> values) {
    return String.join(SEPARATOR, values);
  }

  /**
   * A canonical value as listings show it: for a secret attribute, the last word of each value
   * (the secret after a user name, or the whole value) replaced by {@link #REDACTED}; any
   * other value as it is.
   */
  public String redacted(String canonical) {
    if (!secret || canonical == null) {
      return canonical;
    }
    return join(values(canonical).stream().map(v -> {
      int space = v.trim().lastIndexOf(' ');
      return space < 0 ? REDACTED : v.trim().substring(0, space + 1) + REDACTED;
    }).toList());
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
        && d.multiValued == multiValued
        && d.secret == secret
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
    private boolean multiValued;
    private boolean secret;

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

    /** The attribute may be given more than once; its values are kept in order. */
    public Builder multiValued() {
      this.multiValued = true;
      return this;
    }

    /** The attribute's values end in a secret: listings redact it, nothing logs it. */
    public Builder secret() {
      this.secret = true;
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
