package io.karst.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalAdministrationTest {

  @TempDir
  Path etc;

  @Test
  void theFirstStartIssuesAKeyOnlyTheOwnerReadsAndRegistersItsPublicHalf() throws Exception {
    Files.writeString(etc.resolve("keys.properties"), "_g_\\:admingroup = group,admin\n");
    assertThat(LocalAdministration.issue(etc)).isTrue();

    Path key = etc.resolve("karst-admin.key");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    String pem = Files.readString(key);
    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n")
        .endsWith("-----END PRIVATE KEY-----\n");
    byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    RSAPrivateCrtKey privateKey = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA")
        .generatePrivate(new PKCS8EncodedKeySpec(der));

    List<String> lines = Files.readAllLines(etc.resolve("keys.properties"));
    assertThat(lines).contains("_g_\\:admingroup = group,admin");
    String entry = lines.stream().filter(l -> l.startsWith("karst=")).findFirst().orElseThrow();
    assertThat(entry).endsWith(",_g_:admingroup");
    ByteBuffer blob = ByteBuffer.wrap(Base64.getDecoder().decode(
        entry.substring("karst=".length(), entry.indexOf(','))));
    assertThat(new String(next(blob), java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("ssh-rsa");
    assertThat(new BigInteger(next(blob))).isEqualTo(privateKey.getPublicExponent());
    assertThat(new BigInteger(next(blob))).as("the public half of the key in the file")
        .isEqualTo(privateKey.getModulus());
  }

  @Test
  void aKeyFileThatExistsIsLeftAloneAndNothingIsRegisteredTwice() throws Exception {
    assertThat(LocalAdministration.issue(etc)).isTrue();
    String before = Files.readString(etc.resolve("keys.properties"));
    assertThat(LocalAdministration.issue(etc)).isFalse();
    assertThat(Files.readString(etc.resolve("keys.properties"))).isEqualTo(before);
  }

  /** The next length-prefixed string of an SSH wire-format blob. */
  private static byte[] next(ByteBuffer blob) {
    byte[] value = new byte[blob.getInt()];
    blob.get(value);
    return value;
  }
}
