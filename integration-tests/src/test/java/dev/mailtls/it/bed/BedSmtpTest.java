package dev.mailtls.it.bed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves the mail half of the bed with a plain socket client: Postfix on 127.0.0.2 delivers over
 * STARTTLS with the MX chain the TLSA records describe, 127.0.0.3 has no STARTTLS, other domains
 * are refused, and the Maildir and log helpers see the deliveries.
 */
class BedSmtpTest {

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

  private static String message(String to, String subject) {
    return "From: tester@client.test\nTo: " + to + "\nSubject: " + subject + "\n\nHello from the bed test.\n.leading dot\n";
  }

  @Test
  void mailOverStarttlsArrivesInTheDomainsMaildirWithAnEsmtpsReceivedHeader() throws IOException {
    long mark = bed.postfixLog().mark();
    try (SmtpTestClient client = SmtpTestClient.connect(bed.postfixTlsAddress(), WAIT)) {
      assertThat(client.greeting().text()).startsWith("220 mx.dane-ok.test ESMTP");
      client.ehlo("client.test");
      assertThat(client.offers("STARTTLS")).as(client.transcript().toString()).isTrue();

      assertThat(client.startTls(bed.clientSslContext(), "mx.dane-ok.test").code()).isEqualTo(220);
      client.ehlo("client.test");
      SmtpTestClient.Reply sent = client.sendMail("tester@client.test", List.of("alice@dane-ok.test"),
          message("alice@dane-ok.test", "over TLS"));
      assertThat(sent.code()).as(client.transcript().toString()).isEqualTo(250);
      client.quit();
    }

    List<DeliveredMessage> delivered = bed.mailboxes().awaitMessages(TestDomains.DANE_OK, 1, WAIT);
    assertThat(delivered).hasSize(1);
    assertThat(delivered.get(0).arrivedOverTls()).as(delivered.get(0).receivedByBed()).isTrue();
    assertThat(delivered.get(0).receivedByBed()).contains("using TLSv1.3").contains("by mx.dane-ok.test (Postfix) with ESMTPS");
    assertThat(delivered.get(0).headers("Subject")).containsExactly("over TLS");
    assertThat(delivered.get(0).body()).contains(".leading dot");
    Optional<String> tlsLine = bed.postfixLog().awaitLine(mark, "postfix-bed/mx-tls/smtpd.*TLS connection established", WAIT);
    assertThat(tlsLine).isPresent();
  }

  @Test
  void theChainPresentedMatchesTheTlsaRecordsOfTheBed() throws Exception {
    SSLSession session;
    try (SmtpTestClient client = SmtpTestClient.connect(bed.postfixTlsAddress(), WAIT)) {
      client.ehlo("client.test");
      client.startTls(bed.clientSslContext(), "mx.dane-ta.test");
      session = client.tlsSession();
      client.quit();
    }

    Certificate[] chain = session.getPeerCertificates();
    assertThat(chain).hasSize(2);
    assertThat(chain[1]).isEqualTo(bed.certificates().caCertificate());
    String leafSpki = HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(chain[0].getPublicKey().getEncoded()));
    String caSpki = HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(chain[1].getPublicKey().getEncoded()));
    assertThat(bed.tlsa(TestDomains.DANE_OK)).isEqualTo("3 1 1 " + leafSpki);
    assertThat(bed.tlsa(TestDomains.DANE_TA)).isEqualTo("2 1 1 " + caSpki);
    assertThat(((X509Certificate) chain[0]).getSubjectAlternativeNames().stream().map(san -> (String) san.get(1)))
        .contains("mx.dane-ok.test", "mx.dane-ta.test", "mx.starttls-strip.test", "mx.insecure.test", "mx.cname.test");
  }

  @Test
  void smtpsListenerStartsWithTheHandshakeAndDeliversOverTls() throws IOException {
    long mark = bed.postfixLog().mark();
    try (SmtpTestClient client = SmtpTestClient.connectTls(bed.postfixSmtpsAddress(), bed.clientSslContext(),
        "mx.dane-ok.test", WAIT)) {
      assertThat(client.greeting().text()).startsWith("220 mx.dane-ok.test ESMTP");
      assertThat(client.tlsSession()).isNotNull();
      client.ehlo("client.test");
      assertThat(client.offers("STARTTLS")).as("no STARTTLS inside TLS").isFalse();
      assertThat(client.sendMail("tester@client.test", List.of("carol@dane-ok.test"),
          message("carol@dane-ok.test", "implicit TLS")).code()).as(client.transcript().toString()).isEqualTo(250);
      client.quit();
    }

    DeliveredMessage delivered = bed.mailboxes().awaitMessages(TestDomains.DANE_OK, 1, WAIT).get(0);
    assertThat(delivered.arrivedOverTls()).as(delivered.receivedByBed()).isTrue();
    assertThat(bed.postfixLog().awaitLine(mark, "postfix-bed/mx-smtps/smtpd.*TLS connection established", WAIT))
        .isPresent();
  }

  @Test
  void plainListenerOffersNoStarttlsAndDeliversWithoutTls() throws IOException {
    try (SmtpTestClient client = SmtpTestClient.connect(bed.postfixPlainAddress(), WAIT)) {
      client.ehlo("client.test");
      assertThat(client.offers("STARTTLS")).as(client.transcript().toString()).isFalse();
      assertThat(client.sendMail("tester@client.test", List.of("bob@no-tls.test"),
          message("bob@no-tls.test", "in the clear")).code()).isEqualTo(250);
      client.quit();
    }

    DeliveredMessage delivered = bed.mailboxes().awaitMessages(TestDomains.NO_TLS, 1, WAIT).get(0);
    assertThat(delivered.arrivedOverTls()).isFalse();
    assertThat(delivered.receivedByBed()).contains("with ESMTP id");
  }

  /**
   * The client-certificate listener tells, in its log and in the Received header, whether the
   * client presented a certificate of the client CA: with one, "Trusted" and "verified OK";
   * without, "Anonymous" and "did not present". Both strings the agent tests rely on are shown here.
   */
  @Test
  void clientCertificateListenerSaysWhetherAVerifiedCertificateWasPresented() throws Exception {
    long mark = bed.postfixLog().mark();
    BedCertificates.ClientIdentity identity = bed.certificates().issueClientCertificate("bed-test.client.test");
    sendOverStarttls(bed.postfixClientCertAddress(), presenting(identity), "with a client certificate");
    sendOverStarttls(bed.postfixClientCertAddress(), bed.clientSslContext(), "without a client certificate");

    List<DeliveredMessage> delivered = bed.mailboxes().awaitMessages(TestDomains.CLIENT_CERT, 2, WAIT);
    assertThat(receivedOf(delivered, "with a client certificate"))
        .contains("(Client CN \"bed-test.client.test\", Issuer \"MailTLS Guard test bed client CA\" (verified OK))");
    assertThat(receivedOf(delivered, "without a client certificate")).contains("(Client did not present a certificate)");
    assertThat(bed.postfixLog().awaitLine(mark,
        "postfix-bed/mx-ccert/smtpd.*Trusted TLS connection established from unknown\\[127\\.0\\.0\\.1\\]", WAIT))
        .as(bed.postfixLog().textSince(mark)).isPresent();
    assertThat(bed.postfixLog().awaitLine(mark,
        "postfix-bed/mx-ccert/smtpd.*Anonymous TLS connection established from unknown\\[127\\.0\\.0\\.1\\]", WAIT))
        .as(bed.postfixLog().textSince(mark)).isPresent();
  }

  private static void sendOverStarttls(java.net.InetSocketAddress address, javax.net.ssl.SSLContext tls, String subject)
      throws IOException {
    try (SmtpTestClient client = SmtpTestClient.connect(address, WAIT)) {
      client.ehlo("client.test");
      assertThat(client.startTls(tls, "mx.client-cert.test").code()).isEqualTo(220);
      client.ehlo("client.test");
      assertThat(client.sendMail("tester@client.test", List.of("dave@client-cert.test"),
          message("dave@client-cert.test", subject)).code()).as(client.transcript().toString()).isEqualTo(250);
      client.quit();
    }
  }

  private static String receivedOf(List<DeliveredMessage> messages, String subject) {
    return messages.stream().filter(m -> m.headers("Subject").contains(subject)).findFirst()
        .orElseThrow(() -> new AssertionError("no message " + subject + " in " + messages)).receivedByBed();
  }

  /** Trusts the bed's CA and presents {@code identity}. */
  private static javax.net.ssl.SSLContext presenting(BedCertificates.ClientIdentity identity) throws Exception {
    java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("client", identity.key(), new char[0], identity.chain().toArray(new X509Certificate[0]));
    javax.net.ssl.KeyManagerFactory keyManagers =
        javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, new char[0]);
    java.security.KeyStore trusted = java.security.KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("ca", bed.certificates().caCertificate());
    javax.net.ssl.TrustManagerFactory trustManagers =
        javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trusted);
    javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
    context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
    return context;
  }

  @Test
  void domainsOutsideTheBedAreRefusedAsRelaying() throws IOException {
    try (SmtpTestClient client = SmtpTestClient.connect(bed.postfixTlsAddress(), WAIT)) {
      client.ehlo("client.test");
      client.command("MAIL FROM:<tester@client.test>");
      SmtpTestClient.Reply reply = client.command("RCPT TO:<someone@example.com>");
      client.quit();

      assertThat(reply.code()).isEqualTo(554);
      assertThat(reply.text()).contains("5.7.1").contains("Relay access denied");
    }
  }

  @Test
  void everyTestDomainHasItsOwnCatchAllMaildir() throws IOException {
    try (SmtpTestClient client = SmtpTestClient.connect(bed.postfixPlainAddress(), WAIT)) {
      client.ehlo("client.test");
      for (TestDomain domain : TestDomains.ALL) {
        String to = "any-user." + domain.name().replace('.', '-') + "@" + domain.name();
        assertThat(client.sendMail("tester@client.test", List.of(to), message(to, domain.name())).code())
            .as(client.transcript().toString()).isEqualTo(250);
      }
      client.quit();
    }

    for (TestDomain domain : TestDomains.ALL) {
      DeliveredMessage delivered = bed.mailboxes().awaitMessages(domain.name(), 1, WAIT).get(0);
      assertThat(delivered.headers("Subject")).containsExactly(domain.name());
    }
  }
}
