package dev.mailtls.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.config.ConfigLoader;
import dev.mailtls.config.MailTlsConfig;
import dev.mailtls.dane.TlsaRecord;
import dev.mailtls.dns.TestTlsaOutcomes;
import dev.mailtls.dns.TlsaOutcome;
import dev.mailtls.policy.PolicyMatch;
import dev.mailtls.testing.TestCertificate;
import dev.mailtls.testing.TestTlsServer;
import dev.mailtls.tls.ClientTlsContext;
import dev.mailtls.tls.PeerTrust;
import dev.mailtls.tls.VerificationOutcome;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One TLS context per destination and requirement: connections under an equal requirement share
 * it (and so its session cache), a changed TLSA set or a different destination never does.
 */
class PolicyEngineTlsContextTest {
    private static final String HOST = "mx.example.com";
    private static final TestCertificate SERVER = TestCertificate.builder().dnsNames(HOST).build();
    private static final TestCertificate ROLLED_OVER = TestCertificate.builder().dnsNames(HOST).build();

    private final PolicyEngine engine = engine();

    private static PolicyEngine engine(String... settings) {
        Properties overrides = new Properties();
        // No DNS in these tests: the requirements are made by hand.
        overrides.setProperty("mailtls.dns.servers", "127.0.0.1");
        overrides.setProperty("mailtls.level", "dane-only");
        overrides.setProperty("mailtls.policy.audited.example.com", "dane-only action=audit");
        for (int i = 0; i < settings.length; i += 2) {
            overrides.setProperty(settings[i], settings[i + 1]);
        }
        try {
            MailTlsConfig config = ConfigLoader.withOverrides(overrides).loadWithoutFile();
            return PolicyEngine.create(config);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private ConnectionRequirement dane(String host, TestCertificate... published) {
        TlsaRecord[] records = new TlsaRecord[published.length];
        for (int i = 0; i < published.length; i++) {
            records[i] = TlsaRecord.forCertificate(3, 1, 1, published[i].certificate());
        }
        TlsaOutcome tlsa = TestTlsaOutcomes.secure(host, 25, records);
        PolicyMatch match = engine.match(host);
        return new ConnectionRequirement(match, host, 25, ConnectionRequirement.Kind.DANE, tlsa.referenceNames(),
                tlsa.baseDomain(), tlsa, "test");
    }

    private ConnectionRequirement encrypt(String host) {
        return new ConnectionRequirement(engine.match(host), host, 25, ConnectionRequirement.Kind.ENCRYPT,
                Collections.<String>emptyList(), host, null, "test");
    }

    @Test
    void connectionsUnderAnEqualRequirementShareOneContext() throws Exception {
        ClientTlsContext first = engine.tlsContext(dane(HOST, SERVER));
        ClientTlsContext second = engine.tlsContext(dane(HOST, SERVER));

        assertThat(second).isSameAs(first);
        assertThat(second.sslContext()).isSameAs(first.sslContext());
        assertThat(engine.tlsContext(encrypt(HOST))).isSameAs(engine.tlsContext(encrypt(HOST)));
    }

    @Test
    void sameTlsaRecordsInAnotherOrderShareTheContext() throws Exception {
        // A TLSA RRset has no order; a resolver may rotate it between answers.
        assertThat(engine.tlsContext(dane(HOST, ROLLED_OVER, SERVER))).isSameAs(engine.tlsContext(dane(HOST, SERVER, ROLLED_OVER)));
    }

    @Test
    void changedTlsaSetGetsANewContext() throws Exception {
        ClientTlsContext before = engine.tlsContext(dane(HOST, SERVER));

        ClientTlsContext rolledOver = engine.tlsContext(dane(HOST, ROLLED_OVER));
        ClientTlsContext added = engine.tlsContext(dane(HOST, SERVER, ROLLED_OVER));

        assertThat(rolledOver.sslContext()).isNotSameAs(before.sslContext());
        assertThat(added.sslContext()).isNotSameAs(before.sslContext()).isNotSameAs(rolledOver.sslContext());
        assertThat(rolledOver.requirement().tlsa()).isNotEqualTo(before.requirement().tlsa());
    }

    @Test
    void otherDestinationLevelOrActionGetsItsOwnContext() throws Exception {
        ClientTlsContext dane = engine.tlsContext(dane(HOST, SERVER));

        assertThat(engine.tlsContext(dane("mx2.example.com", SERVER))).isNotSameAs(dane);
        assertThat(engine.tlsContext(encrypt(HOST))).isNotSameAs(dane);
        assertThat(engine.tlsContext(encrypt("mx2.example.com"))).isNotSameAs(engine.tlsContext(encrypt(HOST)));
        assertThat(dane.requirement().isEnforced()).isTrue();
    }

    @Test
    void auditedAuthenticationIsNeverSharedSoAnUnverifiedSessionIsNeverResumed() throws Exception {
        ClientTlsContext first = engine.tlsContext(dane("audited.example.com", SERVER));
        ClientTlsContext second = engine.tlsContext(dane("audited.example.com", SERVER));

        assertThat(first.requirement().isEnforced()).as("action=audit").isFalse();
        assertThat(second).isNotSameAs(first);
        try (TestTlsServer server = TestTlsServer.start(SERVER, List.of(SERVER.certificate()))) {
            assertThat(handshake(first, server)).isFalse();
            assertThat(handshake(second, server)).isFalse();
        }
    }

    @Test
    void secondConnectionResumesTheVerifiedSessionAndAChangedTlsaSetNeverDoes() throws Exception {
        try (TestTlsServer server = TestTlsServer.start(SERVER, List.of(SERVER.certificate()))) {
            assertThat(handshake(engine.tlsContext(dane(HOST, SERVER)), server)).as("first connection").isFalse();
            assertThat(handshake(engine.tlsContext(dane(HOST, SERVER)), server)).as("same requirement").isTrue();
            // The old key is still accepted by the new set, but the session verified under the old set is not reused.
            assertThat(handshake(engine.tlsContext(dane(HOST, SERVER, ROLLED_OVER)), server)).as("changed TLSA set").isFalse();
        }
    }

    /** One verified handshake; whether it resumed an earlier session. */
    private static boolean handshake(ClientTlsContext tls, TestTlsServer server) throws IOException {
        try (SSLSocket socket = (SSLSocket) tls.socketFactory().createSocket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            // TLS 1.3 sends its session ticket after the handshake; one round trip makes sure it arrived.
            socket.getOutputStream().write('x');
            socket.getInputStream().read();
            assertThat(VerificationOutcome.of(socket.getSession()).peerTrust()).isEqualTo(PeerTrust.VERIFIED);
            return VerificationOutcome.isResumed(socket);
        }
    }
}
