package dev.mailtls.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.dane.TlsaRecord;
import dev.mailtls.testing.FakeDnsServer;
import dev.mailtls.testing.SignedTestZone;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/** RFC 7672 lookups (MX, addresses, TLSA base domains and outcomes) against the validated test zone. */
class DestinationResolverTest {
    private static FakeDnsServer server;
    private static DnssecResolver dns;
    private static DestinationResolver destinations;

    @BeforeAll
    static void start() throws Exception {
        SignedTestZone zone = TestZones.standard();
        server = FakeDnsServer.start(zone.responder());
        dns = DnssecResolver.create(new DnsSettings(List.of(server.address()), DnssecMode.VALIDATE, zone.trustAnchor(),
                "test zone", 3000));
        destinations = new DestinationResolver(dns);
    }

    @AfterAll
    static void stop() {
        dns.close();
        server.close();
    }

    private static MxHost onlyHost(String domain) {
        MxLookup mx = destinations.lookupMx(domain);
        assertThat(mx.kind()).isEqualTo(MxLookup.Kind.HOSTS);
        return mx.hosts().get(0);
    }

    @Test
    void mxHostsAreSortedByPreferenceWithoutDuplicates() {
        MxLookup mx = destinations.lookupMx("secure.test");

        assertThat(mx.kind()).isEqualTo(MxLookup.Kind.HOSTS);
        assertThat(mx.secure()).isTrue();
        assertThat(mx.hosts()).extracting(MxHost::name).containsExactly("mx.secure.test", "mx-b.secure.test");
        assertThat(mx.hosts()).extracting(MxHost::preference).containsExactly(10, 20);
    }

    @Test
    void domainWithoutMxIsItsOwnImplicitMx() {
        MxLookup mx = destinations.lookupMx("nomx.test");

        assertThat(mx.kind()).isEqualTo(MxLookup.Kind.HOSTS);
        assertThat(mx.hosts()).singleElement().satisfies(host -> {
            assertThat(host.name()).isEqualTo("nomx.test");
            assertThat(host.implicit()).isTrue();
            assertThat(host.preference()).isZero();
        });
    }

    @Test
    void nullMxMeansTheDomainAcceptsNoMail() {
        MxLookup mx = destinations.lookupMx("nullmx.test");

        assertThat(mx.kind()).isEqualTo(MxLookup.Kind.NULL_MX);
        assertThat(mx.hosts()).isEmpty();
        assertThat(mx.reason()).contains("RFC 7505");
    }

    @Test
    void nonexistentDomainIsPermanent() {
        MxLookup mx = destinations.lookupMx("nowhere.test");

        assertThat(mx.kind()).isEqualTo(MxLookup.Kind.NO_SUCH_DOMAIN);
        assertThat(mx.status()).isEqualTo(DnsStatus.SECURE);
    }

    @Test
    void bogusMxDefersTheDestination() {
        MxLookup mx = destinations.lookupMx("bogusmx.test");

        assertThat(mx.kind()).isEqualTo(MxLookup.Kind.DEFER);
        assertThat(mx.status()).isEqualTo(DnsStatus.BOGUS);
        assertThat(mx.hosts()).isEmpty();
        assertThat(mx.reason()).contains("bogusmx.test", "bogus", "deferring");
    }

    @Test
    void secureUsableTlsaRequiresAuthenticationWithTheNextHopAsReferenceName() throws Exception {
        HostLookup host = destinations.lookupHost(onlyHost("secure.test"), 25);

        assertThat(host.usable()).isTrue();
        assertThat(host.addresses()).containsExactly(InetAddress.getByName("127.0.0.2"), InetAddress.getByName("::2"));
        assertThat(host.addressStatus()).isEqualTo(DnsStatus.SECURE);
        TlsaOutcome tlsa = host.tlsa();
        assertThat(tlsa.kind()).isEqualTo(TlsaOutcome.Kind.AUTHENTICATION_REQUIRED);
        assertThat(tlsa.tlsaName()).isEqualTo("_25._tcp.mx.secure.test");
        assertThat(tlsa.baseDomain()).isEqualTo("mx.secure.test");
        assertThat(tlsa.referenceNames()).containsExactly("mx.secure.test", "secure.test");
        assertThat(tlsa.usableRecords()).extracting(TlsaRecord::usage).containsExactly(TlsaRecord.USAGE_DANE_EE);
        assertThat(tlsa.insecureMx()).isFalse();
    }

    @Test
    void tlsaNameCarriesTheRealPort() {
        HostLookup host = destinations.lookupHost("mx.secure.test", 587);

        assertThat(host.tlsa().kind()).isEqualTo(TlsaOutcome.Kind.NOT_APPLICABLE);
        assertThat(host.tlsa().reason()).contains("_587._tcp.mx.secure.test securely denied");
    }

    @Test
    void secureTlsaWithOnlyUnusableRecordsRequiresEncryptionOnly() {
        HostLookup host = destinations.lookupHost("mx.pkix.test", 25);

        assertThat(host.tlsa().kind()).isEqualTo(TlsaOutcome.Kind.ENCRYPTION_REQUIRED);
        assertThat(host.tlsa().records()).hasSize(1);
        assertThat(host.tlsa().usableRecords()).isEmpty();
    }

    @Test
    void securelyDeniedTlsaMeansNoDane() {
        HostLookup host = destinations.lookupHost("mx.notlsa.test", 25);

        assertThat(host.usable()).isTrue();
        assertThat(host.tlsa().kind()).isEqualTo(TlsaOutcome.Kind.NOT_APPLICABLE);
        assertThat(host.tlsa().reason()).contains("securely denied");
    }

    @Test
    void bogusTlsaMakesTheHostUnusable() {
        HostLookup host = destinations.lookupHost("mx.bogus-tlsa.test", 25);

        assertThat(host.addresses()).isNotEmpty();
        assertThat(host.tlsa().kind()).isEqualTo(TlsaOutcome.Kind.LOOKUP_FAILED);
        assertThat(host.usable()).isFalse();
        assertThat(host.tlsa().reason()).contains("_25._tcp.mx.bogus-tlsa.test", "bogus", "must not be used");
    }

    @Test
    void expiredTlsaSignatureMakesTheHostUnusable() {
        HostLookup host = destinations.lookupHost("mx.expired-tlsa.test", 25);

        assertThat(host.tlsa().kind()).isEqualTo(TlsaOutcome.Kind.LOOKUP_FAILED);
        assertThat(host.usable()).isFalse();
    }

    @Test
    void insecureAddressesAreNotFollowedByATlsaLookup() {
        HostLookup host = destinations.lookupHost("mx.insecure.test", 25);

        assertThat(host.addressStatus()).isEqualTo(DnsStatus.INSECURE);
        assertThat(host.tlsa().kind()).isEqualTo(TlsaOutcome.Kind.NOT_APPLICABLE);
        assertThat(server.received()).noneMatch(query -> query.getQuestion().getType() == Type.TLSA
                && query.getQuestion().getName().toString().equals("_25._tcp.mx.insecure.test."));
    }

    @Test
    void secureCnameChainUsesTheExpandedNameAsBaseDomainFirst() {
        HostLookup host = destinations.lookupHost("mail.cname.test", 25);

        TlsaOutcome tlsa = host.tlsa();
        assertThat(tlsa.kind()).isEqualTo(TlsaOutcome.Kind.AUTHENTICATION_REQUIRED);
        assertThat(tlsa.baseDomain()).isEqualTo("mx.target.test");
        assertThat(tlsa.referenceNames()).containsExactly("mx.target.test", "mail.cname.test");
    }

    @Test
    void secureCnameChainFallsBackToTheOriginalNameWhenTheExpandedOneHasNoTlsa() {
        HostLookup host = destinations.lookupHost("mail2.cname.test", 25);

        assertThat(host.tlsa().kind()).isEqualTo(TlsaOutcome.Kind.AUTHENTICATION_REQUIRED);
        assertThat(host.tlsa().baseDomain()).isEqualTo("mail2.cname.test");
        assertThat(host.tlsa().reason()).contains("_25._tcp.mx.notlsa.test securely denied");
    }

    @Test
    void cnameAtTheTlsaNameIsFollowedWithoutChangingTheBaseDomain() {
        TlsaOutcome tlsa = destinations.lookupHost("mx.tlsa-alias.test", 25).tlsa();

        assertThat(tlsa.kind()).isEqualTo(TlsaOutcome.Kind.AUTHENTICATION_REQUIRED);
        assertThat(tlsa.tlsaName()).isEqualTo("_25._tcp.mx.tlsa-alias.test");
        assertThat(tlsa.baseDomain()).isEqualTo("mx.tlsa-alias.test");
    }

    @Test
    void chainTurningInsecureAfterASecureCnameUsesOnlyTheOriginalName() {
        HostLookup host = destinations.lookupHost("mail.half.test", 25);

        assertThat(host.addressStatus()).isEqualTo(DnsStatus.INSECURE);
        assertThat(host.tlsa().kind()).isEqualTo(TlsaOutcome.Kind.AUTHENTICATION_REQUIRED);
        assertThat(host.tlsa().baseDomain()).isEqualTo("mail.half.test");
        assertThat(server.received()).noneMatch(query -> query.getQuestion().getType() == Type.TLSA
                && query.getQuestion().getName().toString().equals("_25._tcp.mx.insecure.test."));
    }

    @Test
    void chainStartingWithAnInsecureCnameGetsNoDane() {
        HostLookup host = destinations.lookupHost("alias.insecure.test", 25);

        assertThat(host.tlsa().kind()).isEqualTo(TlsaOutcome.Kind.NOT_APPLICABLE);
        assertThat(host.tlsa().reason()).contains("DNSSEC-insecure");
    }

    @Test
    void hostOfAnInsecureMxStillUsesItsTlsaButOnlyAsTrusted() {
        MxHost host = onlyHost("insecure.test");
        assertThat(host.mxSecure()).isFalse();

        TlsaOutcome tlsa = destinations.lookupHost(host, 25).tlsa();

        assertThat(tlsa.kind()).isEqualTo(TlsaOutcome.Kind.AUTHENTICATION_REQUIRED);
        assertThat(tlsa.insecureMx()).isTrue();
        assertThat(tlsa.referenceNames()).containsExactly("mx.secure.test");
        assertThat(tlsa.reason()).contains("never \"Verified\"");
    }

    @Test
    void hostWithoutAddressesIsUnusable() {
        HostLookup host = destinations.lookupHost("nowhere.test", 25);

        assertThat(host.addresses()).isEmpty();
        assertThat(host.usable()).isFalse();
    }

    @Test
    void addressLiteralGetsNoDnsAndNoDane() throws Exception {
        HostLookup host = destinations.lookupHost("[192.0.2.25]", 25);

        assertThat(host.addresses()).containsExactly(InetAddress.getByName("192.0.2.25"));
        assertThat(host.tlsa().kind()).isEqualTo(TlsaOutcome.Kind.NOT_APPLICABLE);
    }
}
