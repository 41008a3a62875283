package dev.mailtls.it.bed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * Proves the DNS half of the bed: what a client asking Unbound with the DO bit (never CD) sees
 * for each test domain, the pre-signed zone served by Knot, the exported trust anchor, and the
 * black hole.
 */
class BedDnsTest {

  private static TestBed bed;

  @BeforeAll
  static void startBed() {
    bed = TestBed.shared();
  }

  private static Message ask(InetSocketAddress server, String name, int type) throws IOException {
    SimpleResolver resolver = new SimpleResolver(server);
    resolver.setTimeout(Duration.ofSeconds(5));
    resolver.setEDNS(0, 1232, ExtendedFlags.DO, List.of());
    return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name + "."), type, DClass.IN)));
  }

  private static Message resolve(String name, int type) throws IOException {
    return ask(bed.resolverAddress(), name, type);
  }

  private static List<Integer> extendedErrors(Message reply) {
    OPTRecord opt = reply.getOPT();
    if (opt == null) {
      return List.of();
    }
    return opt.getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR).stream()
        .map(o -> ((ExtendedErrorCodeOption) o).getErrorCode()).collect(Collectors.toList());
  }

  private static List<String> tlsaAnswers(Message reply) {
    return reply.getSection(Section.ANSWER).stream().filter(r -> r.getType() == Type.TLSA)
        .map(r -> ((TLSARecord) r).rdataToString().toLowerCase().replace(" ", ""))
        .sorted().collect(Collectors.toList());
  }

  private static List<String> expectedTlsa(String domain) {
    return List.of(bed.tlsa(domain).split(";")).stream().map(t -> t.toLowerCase().replace(" ", ""))
        .sorted().collect(Collectors.toList());
  }

  @ParameterizedTest
  @ValueSource(strings = {TestDomains.DANE_OK, TestDomains.DANE_TA, TestDomains.DANE_MISMATCH,
      TestDomains.NO_TLS, TestDomains.STARTTLS_STRIP, TestDomains.STARTTLS_FAIL,
      TestDomains.DANE_UNUSABLE, TestDomains.DANE_EE_CERT})
  void secureTlsaRecordsValidateWithAdAndCarryTheBedsValues(String domain) throws IOException {
    Message reply = resolve("_25._tcp.mx." + domain, Type.TLSA);

    assertThat(Rcode.string(reply.getRcode())).as(reply.toString()).isEqualTo("NOERROR");
    assertThat(reply.getHeader().getFlag(Flags.AD)).as("AD for %s", domain).isTrue();
    assertThat(tlsaAnswers(reply)).isEqualTo(expectedTlsa(domain));
  }

  @ParameterizedTest
  @ValueSource(strings = {TestDomains.DANE_OK, TestDomains.DANE_MISMATCH})
  void smtpsTlsaRecordsAtPort465ValidateWithAd(String domain) throws IOException {
    Message reply = resolve("_465._tcp.mx." + domain, Type.TLSA);

    assertThat(Rcode.string(reply.getRcode())).as(reply.toString()).isEqualTo("NOERROR");
    assertThat(reply.getHeader().getFlag(Flags.AD)).as("AD for %s", domain).isTrue();
    assertThat(tlsaAnswers(reply)).isEqualTo(List.of(bed.smtpsTlsa(domain).split(";")).stream()
        .map(t -> t.toLowerCase().replace(" ", "")).sorted().collect(Collectors.toList()));
  }

  @ParameterizedTest
  @ValueSource(strings = {TestDomains.DANE_OK, TestDomains.NO_DANE, TestDomains.MX_FALLBACK, TestDomains.CNAME})
  void mxRecordsOfSecureDomainsValidateWithAd(String domain) throws IOException {
    Message reply = resolve(domain, Type.MX);

    assertThat(Rcode.string(reply.getRcode())).as(reply.toString()).isEqualTo("NOERROR");
    assertThat(reply.getHeader().getFlag(Flags.AD)).isTrue();
    assertThat(reply.getSection(Section.ANSWER)).anyMatch(r -> r.getType() == Type.MX);
  }

  @Test
  void mxHostAddressesValidateWithAd() throws IOException {
    Message reply = resolve("mx.starttls-strip.test", Type.A);

    assertThat(reply.getHeader().getFlag(Flags.AD)).as(reply.toString()).isTrue();
    assertThat(reply.getSection(Section.ANSWER)).filteredOn(r -> r.getType() == Type.A)
        .extracting(Record::rdataToString).containsExactly("127.0.0.4");
  }

  @ParameterizedTest
  @ValueSource(strings = {"_25._tcp.mx.bogus-tlsa.test", "_25._tcp.mx.expired-tlsa.test"})
  void brokenTlsaSignaturesGiveServfail(String owner) throws IOException {
    Message reply = resolve(owner, Type.TLSA);

    assertThat(Rcode.string(reply.getRcode())).as(reply.toString()).isEqualTo("SERVFAIL");
    assertThat(reply.getSection(Section.ANSWER)).isEmpty();
  }

  @Test
  void corruptedSignatureIsBogusBecauseTheCryptoFails() throws IOException {
    Message reply = resolve("_25._tcp.mx.bogus-tlsa.test", Type.TLSA);

    assertThat(extendedErrors(reply)).contains(ExtendedErrorCodeOption.DNSSEC_BOGUS);
    assertThat(bed.resolverLog())
        .contains("validation failure <_25._tcp.mx.bogus-tlsa.test. TLSA IN>: signature crypto failed");
  }

  @Test
  void expiredSignatureIsBogusBecauseItExpired() throws IOException {
    Message reply = resolve("_25._tcp.mx.expired-tlsa.test", Type.TLSA);

    // EDE 7 (Signature Expired) on the first lookup; Unbound answers later ones from its bogus
    // cache with EDE 6, so the reason is read from its log.
    assertThat(extendedErrors(reply)).containsAnyOf(
        ExtendedErrorCodeOption.SIGNATURE_EXPIRED, ExtendedErrorCodeOption.DNSSEC_BOGUS);
    assertThat(bed.resolverLog())
        .contains("validation failure <_25._tcp.mx.expired-tlsa.test. TLSA IN>: signature expired");
  }

  @Test
  void bogusMxGivesServfailWhileItsHostStaysSecure() throws IOException {
    Message mx = resolve(TestDomains.BOGUS_MX, Type.MX);
    Message tlsa = resolve("_25._tcp.mx.bogus-mx.test", Type.TLSA);

    assertThat(Rcode.string(mx.getRcode())).as(mx.toString()).isEqualTo("SERVFAIL");
    assertThat(tlsa.getHeader().getFlag(Flags.AD)).as(tlsa.toString()).isTrue();
    assertThat(tlsaAnswers(tlsa)).isEqualTo(expectedTlsa(TestDomains.BOGUS_MX));
  }

  @Test
  void insecureDelegationAnswersWithoutAd() throws IOException {
    Message reply = resolve("_25._tcp.mx.insecure.test", Type.TLSA);

    assertThat(Rcode.string(reply.getRcode())).as(reply.toString()).isEqualTo("NOERROR");
    assertThat(reply.getHeader().getFlag(Flags.AD)).isFalse();
    assertThat(tlsaAnswers(reply)).isEqualTo(expectedTlsa(TestDomains.INSECURE));
  }

  @Test
  void noDaneHasAnAuthenticatedDenialOfTlsa() throws IOException {
    Message reply = resolve("_25._tcp.mx.no-dane.test", Type.TLSA);

    assertThat(Rcode.string(reply.getRcode())).as(reply.toString()).isEqualTo("NXDOMAIN");
    assertThat(reply.getHeader().getFlag(Flags.AD)).isTrue();
    assertThat(reply.getSection(Section.ANSWER)).isEmpty();
  }

  @Test
  void cnameMxHostExpandsSecurelyToTheDaneOkHost() throws IOException {
    Message reply = resolve("mx.cname.test", Type.A);

    assertThat(reply.getHeader().getFlag(Flags.AD)).as(reply.toString()).isTrue();
    assertThat(reply.getSection(Section.ANSWER)).filteredOn(r -> r.getType() == Type.CNAME)
        .extracting(r -> ((CNAMERecord) r).getTarget().toString()).containsExactly("mx.dane-ok.test.");
    assertThat(reply.getSection(Section.ANSWER)).filteredOn(r -> r.getType() == Type.A)
        .extracting(Record::rdataToString).containsExactly("127.0.0.2");
    assertThat(Rcode.string(resolve("_25._tcp.mx.cname.test", Type.TLSA).getRcode()))
        .as("TLSA only at the expanded name").isEqualTo("NXDOMAIN");
  }

  @Test
  void knotServesThePreSignedZoneWhoseKskMatchesTheTrustAnchor() throws IOException {
    Message reply = ask(bed.knotAddress(), "test", Type.DNSKEY);

    assertThat(reply.getHeader().getFlag(Flags.AA)).as(reply.toString()).isTrue();
    assertThat(reply.getSection(Section.ANSWER)).anyMatch(r -> r.getType() == Type.RRSIG);
    DNSKEYRecord ksk = reply.getSection(Section.ANSWER).stream()
        .filter(r -> r instanceof DNSKEYRecord k && (k.getFlags() & DNSKEYRecord.Flags.SEP_KEY) != 0)
        .map(r -> (DNSKEYRecord) r).findFirst().orElseThrow();
    DSRecord ds = new DSRecord(ksk.getName(), DClass.IN, 60, DNSSEC.Digest.SHA256, ksk);
    assertThat(ds.rdataToString()).isEqualTo(bed.trustAnchorDs().substring(bed.trustAnchorDs().indexOf("DS") + 2).strip());
  }

  @Test
  void exportedTrustAnchorLetsDnsjavaValidateOnItsOwn() throws Exception {
    SimpleResolver upstream = new SimpleResolver(bed.resolverAddress());
    upstream.setTimeout(Duration.ofSeconds(5));
    ValidatingResolver validating = new ValidatingResolver(upstream);
    validating.loadTrustAnchors(new ByteArrayInputStream(bed.trustAnchorDs().getBytes(StandardCharsets.US_ASCII)));

    Message good = validating.send(Message.newQuery(Record.newRecord(
        Name.fromString("_25._tcp.mx.dane-ok.test."), Type.TLSA, DClass.IN)));
    Message bogus;
    // dnsjava logs the expected bogus signature with a stack trace (through java.util.logging
    // here); keep the CI log free of a failure that is the point of the test.
    Logger verifier = Logger.getLogger("org.xbill.DNS.dnssec.DnsSecVerifier");
    Level level = verifier.getLevel();
    verifier.setLevel(Level.OFF);
    try {
      bogus = validating.send(Message.newQuery(Record.newRecord(
          Name.fromString("_25._tcp.mx.bogus-tlsa.test."), Type.TLSA, DClass.IN)));
    } finally {
      verifier.setLevel(level);
    }

    assertThat(good.getHeader().getFlag(Flags.AD)).as(good.toString()).isTrue();
    assertThat(Rcode.string(bogus.getRcode())).isEqualTo("SERVFAIL");
  }

  @Test
  void blackHoleNeverAnswers() {
    DnsBlackHole hole = bed.blackHole();
    int before = hole.udpQueriesReceived();

    assertThatThrownBy(() -> {
      SimpleResolver resolver = new SimpleResolver(hole.address());
      resolver.setTimeout(Duration.ofMillis(500));
      resolver.send(Message.newQuery(Record.newRecord(Name.fromString("dane-ok.test."), Type.MX, DClass.IN)));
    }).isInstanceOf(IOException.class);
    assertThat(hole.udpQueriesReceived()).isGreaterThan(before);
  }

  @Test
  void blackHoleAcceptsTcpButNeverAnswers() {
    int before = bed.blackHole().tcpConnectionsAccepted();

    assertThatThrownBy(() -> {
      SimpleResolver resolver = new SimpleResolver(bed.blackHole().address());
      resolver.setTCP(true);
      resolver.setTimeout(Duration.ofMillis(500));
      resolver.send(Message.newQuery(Record.newRecord(Name.fromString("dane-ok.test."), Type.MX, DClass.IN)));
    }).isInstanceOf(IOException.class);
    assertThat(bed.blackHole().tcpConnectionsAccepted()).isGreaterThan(before);
  }
}
