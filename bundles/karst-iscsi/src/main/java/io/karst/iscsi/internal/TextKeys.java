package io.karst.iscsi.internal;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** The text format of Login and Text PDUs (RFC 7143 6.1): {@code key=value} pairs ended by NUL. */
final class TextKeys {

  private TextKeys() {}

  /**
   * Parses key=value pairs in order of appearance.
   *
   * @throws IllegalArgumentException for a pair without '=', an empty key, or a key twice
   */
  static Map<String, String> parse(byte[] text) {
    Map<String, String> keys = new LinkedHashMap<>();
    int start = 0;
    for (int i = 0; i <= text.length; i++) {
      if (i == text.length || text[i] == 0) {
        if (i > start) {
          String pair = new String(text, start, i - start, StandardCharsets.UTF_8);
          int eq = pair.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("'" + pair + "' is not key=value");
          }
          if (keys.put(pair.substring(0, eq), pair.substring(eq + 1)) != null) {
            throw new IllegalArgumentException("key " + pair.substring(0, eq) + " appears twice");
          }
        }
        start = i + 1;
      }
    }
    return keys;
  }

  static byte[] bytes(ByteBuf data) {
    byte[] b = new byte[data.readableBytes()];
    data.getBytes(data.readerIndex(), b);
    return b;
  }

  /** Encodes pairs, each followed by NUL. */
  static byte[] format(Map<String, String> keys) {
    StringBuilder b = new StringBuilder();
    keys.forEach((k, v) -> b.append(k).append('=').append(v).append('\0'));
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A binary value (RFC 7143 6.1): {@code 0x} or {@code 0X} and hexadecimal digits, an odd
   * count taken with a leading zero, or {@code 0b} or {@code 0B} and base64.
   *
   * @throws IllegalArgumentException for anything else, or an empty value
   */
  static byte[] binary(String value) {
    if (value.length() > 2 && value.charAt(0) == '0') {
      String digits = value.substring(2);
      switch (value.charAt(1)) {
        case 'x', 'X' -> {
          return HexFormat.of().parseHex(digits.length() % 2 == 0 ? digits : "0" + digits);
        }
        case 'b', 'B' -> {
          return Base64.getDecoder().decode(digits);
        }
        default -> { }
      }
    }
    throw new IllegalArgumentException("not a hex (0x) or base64 (0b) value");
  }

  /** A binary value in hexadecimal, the encoding every initiator reads. */
  static String hex(byte[] value) {
    return "0x" + HexFormat.of().formatHex(value);
  }
}
