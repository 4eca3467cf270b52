package io.karst.shell.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Local administration without a well-known password: on the first start of an instance, an
 * RSA key pair is generated; its private half goes to {@code etc/karst-admin.key}, readable by
 * the server's owner only, and its public half into Karaf's {@code etc/keys.properties} for the
 * user {@code karst} in the admin group. Whoever can read the key file (the administrator on
 * the host) runs shell commands non-interactively:
 *
 * <pre>bin/client -u karst -k etc/karst-admin.key "karst:device-list"</pre>
 *
 * <p>The assembly's {@code bin/setenv} adds {@code -u karst -k etc/karst-admin.key} when no login
 * option is given, so {@code bin/client "karst:device-list"} is enough.
 *
 * <p>Nothing is done when the key file exists, so a key an administrator replaced or removed
 * from {@code keys.properties} stays so; deleting the file makes the next start issue a new one.
 */
@Component(immediate = true, service = {})
public final class LocalAdministration {

  static final String USER = "karst";
  static final String KEY_FILE = "karst-admin.key";
  private static final System.Logger LOG = System.getLogger(LocalAdministration.class.getName());

  @Activate
  void activate() {
    String etc = System.getProperty("karaf.etc");
    if (etc == null) {
      return;
    }
    try {
      if (issue(Path.of(etc))) {
        LOG.log(Level.INFO, "local administration: bin/client -u " + USER + " -k etc/"
            + KEY_FILE + " \"karst:device-list\"");
      }
    } catch (IOException | GeneralSecurityException e) {
      LOG.log(Level.WARNING, "no local administration key: " + e.getMessage());
    }
  }

  /**
   * Generates the key pair and registers its public key, unless {@code etc} has a key file
   * already. Returns whether it did.
   */
  static boolean issue(Path etc) throws IOException, GeneralSecurityException {
    Path keyFile = etc.resolve(KEY_FILE);
    if (Files.exists(keyFile)) {
      return false;
    }
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(3072);
    KeyPair pair = generator.generateKeyPair();
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'})
            .encodeToString(pair.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    try {
      Files.createFile(keyFile,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      return false; // another start got there first
    } catch (UnsupportedOperationException e) {
      Files.createFile(keyFile);
    }
    Files.writeString(keyFile, pem, StandardCharsets.US_ASCII);
    String entry = USER + "=" + sshPublicKey((RSAPublicKey) pair.getPublic())
        + ",_g_:admingroup";
    Path keys = etc.resolve("keys.properties");
    List<String> lines = Files.exists(keys) ? Files.readAllLines(keys) : List.of();
    if (lines.stream().noneMatch(l -> l.startsWith(USER + "="))) {
      Files.writeString(keys, "\n# Karst's local administration key (etc/" + KEY_FILE + ")\n"
          + entry + "\n", StandardCharsets.ISO_8859_1, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
    return true;
  }

  /** An RSA public key as OpenSSH's wire format, base64: "ssh-rsa", e and n (RFC 4253 6.6). */
  static String sshPublicKey(RSAPublicKey key) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeString(out, "ssh-rsa".getBytes(StandardCharsets.US_ASCII));
    writeString(out, key.getPublicExponent().toByteArray());
    writeString(out, key.getModulus().toByteArray());
    return Base64.getEncoder().encodeToString(out.toByteArray());
  }

  private static void writeString(ByteArrayOutputStream out, byte[] value) {
    int n = value.length;
    out.write(n >>> 24);
    out.write(n >>> 16);
    out.write(n >>> 8);
    out.write(n);
    out.writeBytes(value);
  }
}
