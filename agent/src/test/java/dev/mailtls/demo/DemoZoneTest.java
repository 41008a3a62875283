package dev.mailtls.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.dns.DnsAnswer;
import dev.mailtls.dns.DnsSettings;
import dev.mailtls.dns.DnsStatus;
import dev.mailtls.dns.DnssecMode;
import dev.mailtls.dns.DnssecResolver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.Type;

/**
 * The demo zone, served by the demo's name server, read by the policy engine's own validating
 * resolver from nothing but the zone's DS record: answers and denials must all be DNSSEC-secure.
 */
class DemoZoneTest {
    private DemoDnsServer server;
    private DnssecResolver resolver;

    @BeforeEach
    void serveAndResolve() throws Exception {
        Name host = Name.fromString("mx.demo.test.");
        DemoZone zone = DemoZone.sign(Name.fromString("demo.test."), List.of(
                new ARecord(host, DClass.IN, 300, InetAddress.getByName("127.0.0.1")),
                new TLSARecord(Name.fromString("_2525._tcp.mx.demo.test."), DClass.IN, 300, 3, 1, 1, new byte[32])));
        server = DemoDnsServer.start(zone);
        resolver = DnssecResolver.create(new DnsSettings(List.of(new InetSocketAddress("127.0.0.1", server.port())),
                DnssecMode.VALIDATE, zone.trustAnchor(), "the demo zone's DS", 5000));
    }

    @AfterEach
    void stop() {
        resolver.close();
        server.close();
    }

    @Test
    void recordsValidateAsSecureFromTheZonesDsRecord() {
        DnsAnswer tlsa = resolver.lookup("_2525._tcp.mx.demo.test", Type.TLSA);
        assertThat(tlsa.status()).as(tlsa.toString()).isEqualTo(DnsStatus.SECURE);
        assertThat(tlsa.records()).hasSize(1);
        assertThat(resolver.lookup("mx.demo.test", Type.A).status()).isEqualTo(DnsStatus.SECURE);
    }

    @Test
    void missingTypeIsSecurelyDeniedAsNoData() {
        DnsAnswer aaaa = resolver.lookup("mx.demo.test", Type.AAAA);
        assertThat(aaaa.status()).as(aaaa.toString()).isEqualTo(DnsStatus.SECURE);
        assertThat(aaaa.kind()).isEqualTo(DnsAnswer.Kind.NO_DATA);
    }

    @Test
    void missingNameIsSecurelyDeniedAsNxdomain() {
        DnsAnswer tlsa = resolver.lookup("_25._tcp.mx.demo.test", Type.TLSA);
        assertThat(tlsa.status()).as(tlsa.toString()).isEqualTo(DnsStatus.SECURE);
        assertThat(tlsa.kind()).isEqualTo(DnsAnswer.Kind.NO_SUCH_NAME);
    }

    @Test
    void namesOutsideTheZoneAreRefused() {
        assertThat(resolver.lookup("example.com", Type.A).isAnswer()).isFalse();
    }
}
