package dev.mailtls.it.bed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves the STARTTLS downgrade proxies: what they change, that they record what a client sent
 * in the clear, the fake AUTH bait, and the transparent mode as a control.
 */
class BedProxyTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static TestBed bed;

  @BeforeAll
  static void startBed() {
    bed = TestBed.shared();
  }

  @BeforeEach
  void cleanSlate() {
    bed.reset();
  }

  @Test
  void stripProxyRemovesStarttlsAndRecordsWhatALeakyClientSendsInTheClear() throws IOException {
    StarttlsProxy proxy = bed.stripProxy();
    try (SmtpTestClient client = SmtpTestClient.connect(proxy.address(), WAIT)) {
      client.ehlo("client.test");
      assertThat(client.offers("STARTTLS")).isFalse();
      assertThat(client.offers("PIPELINING")).as("the rest of the EHLO reply is kept").isTrue();
      assertThat(client.command("STARTTLS").code()).isEqualTo(502);
      // A client without a TLS policy carries on in the clear:
      assertThat(client.sendMail("tester@client.test", List.of("carol@starttls-strip.test"),
          "Subject: leaked\n\nsecret\n").code()).isEqualTo(250);
      client.quit();
    }
    assertThat(proxy.awaitAllClosed(WAIT)).isTrue();

    assertThat(proxy.connections()).hasSize(1);
    ProxyConnection connection = proxy.connections().get(0);
    assertThat(connection.notes()).as(connection.transcript()).contains("removed STARTTLS");
    assertThat(connection.serverText()).as("Postfix itself offered STARTTLS").contains("250-STARTTLS");
    assertThat(connection.textSeenByClient()).doesNotContain("STARTTLS");
    assertThat(connection.tlsHappened()).isFalse();
    assertThat(connection.cleartextSensitiveCommands()).containsExactly(
        "MAIL FROM:<tester@client.test>", "RCPT TO:<carol@starttls-strip.test>", "DATA");
    assertThat(bed.mailboxes().awaitMessages(TestDomains.STARTTLS_STRIP, 1, WAIT).get(0).arrivedOverTls()).isFalse();
  }

  @Test
  void failProxyAdvertisesStarttlsButAnswers454() throws IOException {
    StarttlsProxy proxy = bed.failProxy();
    try (SmtpTestClient client = SmtpTestClient.connect(proxy.address(), WAIT)) {
      client.ehlo("client.test");
      assertThat(client.offers("STARTTLS")).isTrue();
      SmtpTestClient.Reply reply = client.command("STARTTLS");
      assertThat(reply.code()).isEqualTo(454);
      assertThat(reply.text()).contains("4.7.0");
      client.quit();
    }
    assertThat(proxy.awaitAllClosed(WAIT)).isTrue();

    ProxyConnection connection = proxy.connections().get(0);
    assertThat(connection.notes()).contains("answered STARTTLS with 454 (fail)");
    assertThat(connection.cleartextSensitiveCommands()).isEmpty();
    assertThat(proxy.cleartextSensitiveCommands()).isEmpty();
  }

  @Test
  void fakeAuthBaitShowsCredentialsSentInTheClear() throws IOException {
    StarttlsProxy proxy = bed.stripProxy();
    proxy.setFakeAuth(true);
    String plain = Base64.getEncoder().encodeToString("\0alice\0s3cret".getBytes(StandardCharsets.US_ASCII));
    try (SmtpTestClient client = SmtpTestClient.connect(proxy.address(), WAIT)) {
      client.ehlo("client.test");
      assertThat(client.offers("AUTH")).isTrue();
      assertThat(client.command("AUTH PLAIN " + plain).code()).isEqualTo(235);
      assertThat(client.command("AUTH LOGIN").code()).isEqualTo(334);
      assertThat(client.command("YWxpY2U=").code()).isEqualTo(334);
      assertThat(client.command("czNjcmV0").code()).isEqualTo(235);
      client.quit();
    }
    assertThat(proxy.awaitAllClosed(WAIT)).isTrue();

    assertThat(proxy.cleartextSensitiveCommands())
        .containsExactly("AUTH PLAIN " + plain, "AUTH LOGIN", "YWxpY2U=", "czNjcmV0");
    assertThat(proxy.connections().get(0).notes()).contains("removed STARTTLS", "added AUTH PLAIN LOGIN");
  }

  @Test
  void clearLogForgetsEarlierConnections() throws IOException {
    StarttlsProxy proxy = bed.failProxy();
    try (SmtpTestClient client = SmtpTestClient.connect(proxy.address(), WAIT)) {
      client.quit();
    }
    assertThat(proxy.awaitAllClosed(WAIT)).isTrue();
    assertThat(proxy.connections()).hasSize(1);

    proxy.clearLog();

    assertThat(proxy.connections()).isEmpty();
  }

  @Test
  void passModeRelaysTlsSoNothingSensitiveIsSeenInTheClear() throws IOException {
    try (StarttlsProxy pass = new StarttlsProxy("pass", StarttlsProxy.Mode.PASS,
        new InetSocketAddress("127.0.0.1", 0), bed.postfixTlsAddress())) {
      try (SmtpTestClient client = SmtpTestClient.connect(pass.address(), WAIT)) {
        client.ehlo("client.test");
        assertThat(client.offers("STARTTLS")).isTrue();
        assertThat(client.startTls(bed.clientSslContext(), "mx.dane-ok.test").code()).isEqualTo(220);
        client.ehlo("client.test");
        assertThat(client.sendMail("tester@client.test", List.of("dave@dane-ok.test"),
            "Subject: through the pass proxy\n\nhi\n").code()).isEqualTo(250);
        client.quit();
      }
      assertThat(pass.awaitAllClosed(WAIT)).isTrue();

      ProxyConnection connection = pass.connections().get(0);
      assertThat(connection.tlsHappened()).as(connection.transcript()).isTrue();
      assertThat(connection.cleartextSensitiveCommands()).isEmpty();
      assertThat(connection.clientText()).doesNotContain("dave@dane-ok.test");
    }
    assertThat(bed.mailboxes().awaitMessages(TestDomains.DANE_OK, 1, WAIT).get(0).arrivedOverTls()).isTrue();
  }
}
