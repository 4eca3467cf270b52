package io.karst.api.mgmt;

/** The type of an attribute's value; it says how core checks a value before anyone sees it. */
public enum AttributeType {
  /** Any text. */
  STRING,
  /** A decimal integer (64-bit). */
  INTEGER,
  /** 0 or 1, as in SCST (also accepted: true, false, yes, no, on, off). */
  BOOLEAN,
  /** A byte count, with an optional K, M, G or T suffix (powers of 1024). */
  SIZE,
  /** A file system path; relative paths resolve against the device's data directory. */
  PATH
}
