package io.karst.iscsi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Addresses in the management tree read as discovery announces them. */
class SessionAttributesTest {

  private static InetSocketAddress at(String host, int port) throws Exception {
    return new InetSocketAddress(InetAddress.getByName(host), port);
  }

  @Test
  void anIpv6PeerIsShownInTheShortFormInBrackets() throws Exception {
    InetSocketAddress peer = at("2001:db8:0:0:0:0:0:1", 51234);
    assertThat(SessionAttributes.address(peer)).isEqualTo("[2001:db8::1]");
    assertThat(SessionAttributes.address(at("0:0:0:0:0:0:0:1", 3260))).isEqualTo("[::1]");
    assertThat(SessionAttributes.address(at("fe80:0:0:0:0:0:0:5%1", 3260)))
        .as("no scope, as discovery").isEqualTo("[fe80::5]");
    assertThat(SessionAttributes.address(at("192.0.2.7", 3260))).isEqualTo("192.0.2.7");
    assertThat("[" + Discovery.host(peer.getAddress()) + "]")
        .as("the host discovery announces").isEqualTo(SessionAttributes.address(peer));
  }
}
