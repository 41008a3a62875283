package dev.mailtls.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.testing.DnsReplies;
import dev.mailtls.testing.FakeDnsServer;
import dev.mailtls.testing.SignedTestZone;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Type;

/** validate mode: dnsjava's ValidatingResolver checks signatures made by {@link SignedTestZone}. */
class DnssecResolverValidateModeTest {
    private static SignedTestZone zone;
    private static FakeDnsServer server;
    private static DnssecResolver resolver;

    @BeforeAll
    static void start() throws Exception {
        zone = TestZones.standard();
        server = FakeDnsServer.start(zone.responder());
        resolver = DnssecResolver.create(settings(zone.trustAnchor()));
    }

    @AfterAll
    static void stop() {
        resolver.close();
        server.close();
    }

    static DnsSettings settings(String trustAnchors) {
        return new DnsSettings(List.of(server.address()), DnssecMode.VALIDATE, trustAnchors, "test zone", 3000);
    }

    @Test
    void signedAddressValidatesAsSecure() throws Exception {
        DnsAnswer answer = resolver.lookup("mx.secure.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.SECURE);
        assertThat(answer.kind()).isEqualTo(DnsAnswer.Kind.RECORDS);
        assertThat(((ARecord) answer.records().get(0)).getAddress()).isEqualTo(InetAddress.getByName("127.0.0.2"));
        assertThat(answer.ttlSeconds()).isEqualTo(300);
    }

    @Test
    void flippedSignatureBitIsBogusWithTheValidatorsReason() {
        DnsAnswer answer = resolver.lookup("_25._tcp.mx.bogus-tlsa.test", Type.TLSA);

        assertThat(answer.status()).isEqualTo(DnsStatus.BOGUS);
        assertThat(answer.kind()).isEqualTo(DnsAnswer.Kind.FAILED);
        assertThat(answer.records()).isEmpty();
        assertThat(answer.reason()).contains("SERVFAIL", "EDE");
    }

    @Test
    void expiredSignatureIsBogus() {
        DnsAnswer answer = resolver.lookup("_25._tcp.mx.expired-tlsa.test", Type.TLSA);

        assertThat(answer.status()).isEqualTo(DnsStatus.BOGUS);
        assertThat(answer.records()).isEmpty();
        assertThat(answer.reason()).contains("DNSSEC validation failed");
    }

    @Test
    void recordsBelowAnInsecureDelegationAreInsecure() {
        DnsAnswer answer = resolver.lookup("mx.insecure.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.INSECURE);
        assertThat(answer.records()).hasSize(1);
    }

    @Test
    void provenNonExistenceIsASecureAnswer() {
        DnsAnswer answer = resolver.lookup("nowhere.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.SECURE);
        assertThat(answer.kind()).isEqualTo(DnsAnswer.Kind.NO_SUCH_NAME);
        assertThat(answer.ttlSeconds()).isEqualTo(60);
    }

    @Test
    void provenAbsenceOfATypeIsASecureNoData() {
        DnsAnswer answer = resolver.lookup("mx.secure.test", Type.MX);

        assertThat(answer.status()).isEqualTo(DnsStatus.SECURE);
        assertThat(answer.kind()).isEqualTo(DnsAnswer.Kind.NO_DATA);
    }

    @Test
    void emptyNonTerminalIsASecureNoData() {
        DnsAnswer answer = resolver.lookup("_tcp.mx.secure.test", Type.TLSA);

        assertThat(answer.status()).isEqualTo(DnsStatus.SECURE);
        assertThat(answer.kind()).isEqualTo(DnsAnswer.Kind.NO_DATA);
    }

    @Test
    void signedCnameChainIsSecureHopByHop() {
        DnsAnswer answer = resolver.lookup("mail.cname.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.SECURE);
        assertThat(answer.canonicalName().toString()).isEqualTo("mx.target.test.");
        assertThat(answer.aliases()).extracting(DnsAnswer.Alias::status).containsExactly(DnsStatus.SECURE);
    }

    @Test
    void signedCnameIntoAnInsecureZoneKeepsItsFirstHopSecure() {
        DnsAnswer answer = resolver.lookup("mail.half.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.INSECURE);
        assertThat(answer.records()).hasSize(1);
        assertThat(answer.aliases()).extracting(DnsAnswer.Alias::status).containsExactly(DnsStatus.SECURE);
    }

    @Test
    void unsignedCnameMakesTheWholeChainInsecure() {
        DnsAnswer answer = resolver.lookup("alias.insecure.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.INSECURE);
        assertThat(answer.aliases()).extracting(DnsAnswer.Alias::status).containsExactly(DnsStatus.INSECURE);
    }

    @Test
    void signaturesFromAnotherKeyAreBogus() {
        String otherAnchor = SignedTestZone.builder("test.").records("x.test. 300 IN A 127.0.0.1").build().trustAnchor();
        try (DnssecResolver stranger = DnssecResolver.create(settings(otherAnchor))) {
            DnsAnswer answer = stranger.lookup("mx.secure.test", Type.A);

            assertThat(answer.status()).isEqualTo(DnsStatus.BOGUS);
        }
    }

    @Test
    void adBitFromAnUpstreamIsNotTrustedWhenValidating() throws Exception {
        try (FakeDnsServer liar = FakeDnsServer.start(query -> FakeDnsServer.Reply.message(
                DnsReplies.answer(query, true, query.getQuestion().getName() + " 300 IN A 192.0.2.66")));
                DnssecResolver validating = DnssecResolver.create(new DnsSettings(List.of(liar.address()),
                        DnssecMode.VALIDATE, zone.trustAnchor(), "test zone", 3000))) {
            DnsAnswer answer = validating.lookup("forged.test", Type.A);

            assertThat(answer.status()).isEqualTo(DnsStatus.BOGUS);
            assertThat(answer.records()).isEmpty();
        }
    }

    @Test
    void everyQueryAsksForDnssecAndNoneDisablesChecking() {
        resolver.lookup("mx-b.secure.test", Type.A);

        List<Message> queries = server.received();
        assertThat(queries).isNotEmpty();
        for (Message query : queries) {
            assertThat(query.getHeader().getFlag(Flags.CD)).as("CD bit in %s", query.getQuestion()).isFalse();
            assertThat(query.getOPT()).as("EDNS0 in %s", query.getQuestion()).isNotNull();
            assertThat(query.getOPT().getFlags() & ExtendedFlags.DO).as("DO bit in %s", query.getQuestion()).isNotZero();
        }
    }
}
