package io.karst.iscsi.internal;

import io.karst.api.mgmt.AttributeDescriptor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The CHAP credentials of one target, or of discovery sessions (the driver's own attributes),
 * with SCST's iscsi-scst names: any number of {@code IncomingUser "name secret"}, the
 * initiators the target accepts, and at most one {@code OutgoingUser "name secret"}, what the
 * target answers with when an initiator asks it to prove itself (mutual CHAP). A target with
 * incoming users requires CHAP; one without them requires nothing.
 *
 * <p>Secrets have at least {@link #MIN_SECRET} bytes: CHAP is open to off-line dictionary
 * attacks on what it sends (RFC 7143 12.1.3), and the common initiators (Microsoft's
 * needs 12 to 16) expect as much. RFC 7143 12.1.3 also forbids using a secret that
 * authenticates initiators to authenticate a target, so the outgoing secret may not be one
 * of the incoming ones. Messages name users, never secrets.
 */
final class ChapUsers {

  static final String INCOMING = "IncomingUser";
  static final String OUTGOING = "OutgoingUser";
  static final int MIN_SECRET = 12;
  static final int MAX_SECRET = Chap.MAX_VALUE;

  /** One CHAP name and its secret. */
  record User(String name, byte[] secret) {}

  final List<User> incoming;
  final User outgoing;

  private ChapUsers(List<User> incoming, User outgoing) {
    this.incoming = incoming;
    this.outgoing = outgoing;
  }

  /**
   * Reads the credentials from canonical attributes.
   *
   * @param owner what the attributes belong to, for messages ("TARGET iqn...")
   * @throws IllegalArgumentException naming the owner, the attribute and the user when a value
   *     is not "name secret" or a secret is too short, too long or used in both directions
   */
  static ChapUsers of(Map<String, String> attributes, String owner) {
    List<User> incoming = new ArrayList<>();
    for (String v : AttributeDescriptor.values(attributes.get(INCOMING))) {
      User u = user(v, owner, INCOMING);
      if (incoming.stream().anyMatch(o -> o.name.equals(u.name))) {
        throw new IllegalArgumentException(owner + ": " + INCOMING + " " + u.name
            + " is given twice");
      }
      incoming.add(u);
    }
    List<String> outgoing = AttributeDescriptor.values(attributes.get(OUTGOING));
    User out = outgoing.isEmpty() ? null : user(outgoing.get(0), owner, OUTGOING);
    if (out != null
        && incoming.stream().anyMatch(u -> MessageDigest.isEqual(u.secret, out.secret))) {
      throw new IllegalArgumentException(owner + ": " + OUTGOING + " " + out.name
          + " has the secret of an " + INCOMING + "; RFC 7143 12.1.3 forbids a secret that "
          + "authenticates initiators to authenticate the target");
    }
    return new ChapUsers(List.copyOf(incoming), out);
  }

  private static User user(String value, String owner, String attribute) {
    String[] words = value.trim().split("\\s+");
    if (words.length != 2) {
      throw new IllegalArgumentException(owner + ": " + attribute
          + " takes a name and a secret, separated by a space, in double quotes");
    }
    byte[] secret = words[1].getBytes(StandardCharsets.UTF_8);
    if (secret.length < MIN_SECRET || secret.length > MAX_SECRET) {
      throw new IllegalArgumentException(owner + ": " + attribute + " " + words[0]
          + ": the secret has " + secret.length + " bytes; CHAP secrets need " + MIN_SECRET
          + " to " + MAX_SECRET);
    }
    return new User(words[0], secret);
  }

  /** Whether initiators must authenticate with CHAP. */
  boolean required() {
    return !incoming.isEmpty();
  }

  /** The incoming user of this name, or null. */
  User incoming(String name) {
    for (User u : incoming) {
      if (u.name.equals(name)) {
        return u;
      }
    }
    return null;
  }
}
