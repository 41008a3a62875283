package dev.mailtls.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.mailtls.dane.TlsaRecord;
import dev.mailtls.dane.TlsaSet;
import dev.mailtls.log.TlsSummary;
import dev.mailtls.testing.TestCertificate;
import dev.mailtls.testing.TestPki;
import dev.mailtls.testing.TestTlsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** Real handshakes over loopback: a JDK TLS server with Bouncy Castle certificates, a client from {@link ClientTlsContext}. */
class ClientTlsContextHandshakeTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final TestCertificate EXPIRED_WRONG_NAME = TestCertificate.builder().dnsNames("wrong.example.org").expired().build();

    private static VerificationRequirement daneEe(TestCertificate server) {
        return VerificationRequirement.dane(TlsaSet.builder().baseDomain("mx.example.com", 25)
                .add(TlsaRecord.forCertificate(3, 1, 1, server.certificate())).build(), ReferenceIdentifiers.none());
    }

    private static SSLSocket connect(ClientTlsContext tls, TestTlsServer server) throws IOException {
        SSLSocket socket = (SSLSocket) tls.socketFactory().createSocket(LOOPBACK, server.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    @Test
    void daneEeHandshakeSucceedsWithExpiredWronglyNamedCertificate() throws Exception {
        ClientTlsContext tls = ClientTlsContext.builder(daneEe(EXPIRED_WRONG_NAME)).serverName("mx.example.com").build();
        try (TestTlsServer server = TestTlsServer.start(EXPIRED_WRONG_NAME, List.of(EXPIRED_WRONG_NAME.certificate()));
                SSLSocket socket = connect(tls, server)) {
            socket.startHandshake();
            socket.getOutputStream().write('x');

            assertThat(socket.getInputStream().read()).isEqualTo('x');
            VerificationOutcome outcome = VerificationOutcome.of(socket.getSession());
            assertThat(outcome.peerTrust()).isEqualTo(PeerTrust.VERIFIED);
            assertThat(outcome.daneMatch().depth()).isZero();
            assertThat(outcome.peerChain()).containsExactly(EXPIRED_WRONG_NAME.certificate());
            assertThat(server.nextHandshake().serverName()).isEqualTo("mx.example.com");
        }
    }

    @Test
    void daneMismatchFailsHandshakeWithVerificationMessageInCauseChain() throws Exception {
        TestCertificate published = TestCertificate.builder().build();
        ClientTlsContext tls = ClientTlsContext.builder(daneEe(published)).serverName("mx.example.com").build();
        try (TestTlsServer server = TestTlsServer.start(EXPIRED_WRONG_NAME, List.of(EXPIRED_WRONG_NAME.certificate()));
                SSLSocket socket = connect(tls, server)) {
            Throwable failure = catchThrowable(socket::startHandshake);

            assertThat(failure).isInstanceOf(SSLHandshakeException.class)
                    .hasCauseInstanceOf(CertificateVerificationException.class);
            assertThat(failure.getCause()).hasMessageStartingWith("DANE: no TLSA record of _25._tcp.mx.example.com matched; depth 0 SPKI sha256 = "
                    + TlsaRecord.forCertificate(3, 1, 1, EXPIRED_WRONG_NAME.certificate()).dataHex()
                    + "; expected: " + TlsaRecord.forCertificate(3, 1, 1, published.certificate()));
            VerificationOutcome outcome = VerificationOutcome.fromFailure(new IOException("mail library wrapper", failure));
            assertThat(outcome.peerTrust()).isEqualTo(PeerTrust.UNTRUSTED);
            assertThat(server.nextHandshake().failure()).isNotNull();
        }
    }

    @Test
    void starttlsLayeringSendsConfiguredSniInsteadOfConnectHost() throws Exception {
        ClientTlsContext tls = ClientTlsContext.builder(daneEe(EXPIRED_WRONG_NAME)).serverName("mx.example.com.").build();
        try (TestTlsServer server = TestTlsServer.start(EXPIRED_WRONG_NAME, List.of(EXPIRED_WRONG_NAME.certificate()));
                Socket plain = new Socket(LOOPBACK, server.port());
                SSLSocket socket = (SSLSocket) tls.socketFactory().createSocket(plain, "relay.internal.example", server.port(), true)) {
            socket.startHandshake();

            assertThat(server.nextHandshake().serverName()).isEqualTo("mx.example.com");
        }
    }

    @Test
    void protocolsAreLimitedToTheConfiguredOnes() throws Exception {
        ClientTlsContext tls12 = ClientTlsContext.builder(daneEe(EXPIRED_WRONG_NAME))
                .settings(new TlsSettings(List.of("TLSv1.2"), null)).serverName("mx.example.com").build();
        try (TestTlsServer server = TestTlsServer.start(EXPIRED_WRONG_NAME, List.of(EXPIRED_WRONG_NAME.certificate()));
                SSLSocket socket = connect(tls12, server)) {
            socket.startHandshake();

            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
            assertThat(VerificationOutcome.of(socket.getSession()).peerTrust()).isEqualTo(PeerTrust.VERIFIED);
            assertThat(socket.getEnabledProtocols()).containsExactly("TLSv1.2");
            assertThat(server.nextHandshake().protocol()).isEqualTo("TLSv1.2");
        }
        try (TestTlsServer tls13Only = TestTlsServer.start(EXPIRED_WRONG_NAME, List.of(EXPIRED_WRONG_NAME.certificate()), false,
                "TLSv1.3"); SSLSocket socket = connect(tls12, tls13Only)) {
            assertThatThrownBy(socket::startHandshake).isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void callersClientCertificateIsStillSent() throws Exception {
        TestCertificate client = TestCertificate.builder().commonName("sender.example.net").build();
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance("SunX509");
        keyManagers.init(client.keyStore("client", "pw".toCharArray(), List.of(client.certificate())), "pw".toCharArray());
        ClientTlsContext tls = ClientTlsContext.builder(daneEe(EXPIRED_WRONG_NAME)).serverName("mx.example.com")
                .keyManagers(keyManagers.getKeyManagers()).build();
        try (TestTlsServer server = TestTlsServer.start(EXPIRED_WRONG_NAME, List.of(EXPIRED_WRONG_NAME.certificate()), true);
                SSLSocket socket = connect(tls, server)) {
            socket.startHandshake();
            socket.getOutputStream().write('x');
            socket.getInputStream().read();

            assertThat(server.nextHandshake().clientChain()).containsExactly(client.certificate());
        }
    }

    @Test
    void pkixHandshakeIsVerifiedAndLoggedInPostfixWords() throws Exception {
        TestPki pki = TestPki.forServer("mx.example.com");
        VerificationRequirement pkix = VerificationRequirement.pkix(TrustStore.of(List.of(pki.root().certificate()), "test"),
                ReferenceIdentifiers.of("mx.example.com"));
        ClientTlsContext tls = ClientTlsContext.builder(pkix).serverName("mx.example.com").build();
        try (TestTlsServer server = TestTlsServer.start(pki.leaf(), pki.chainWithoutRoot());
                SSLSocket socket = connect(tls, server)) {
            socket.startHandshake();

            String line = TlsSummary.builder().host("mx.example.com").address("127.0.0.1").port(25).session(socket.getSession())
                    .outcome(VerificationOutcome.of(socket.getSession())).build().toString();
            assertThat(line).matches("Verified TLS connection established to mx\\.example\\.com\\[127\\.0\\.0\\.1\\]:25: "
                    + "TLSv1\\.3 with cipher TLS_\\w+ \\(\\d+/\\d+ bits\\)");
        }
    }

    @Test
    void daneHandshakeLogLineNamesMatchedRecordAndDepth() throws Exception {
        ClientTlsContext tls = ClientTlsContext.builder(daneEe(EXPIRED_WRONG_NAME)).serverName("mx.example.com").build();
        try (TestTlsServer server = TestTlsServer.start(EXPIRED_WRONG_NAME, List.of(EXPIRED_WRONG_NAME.certificate()));
                SSLSocket socket = connect(tls, server)) {
            socket.startHandshake();

            String line = TlsSummary.builder().host("mx.example.com").address("127.0.0.1").port(25).session(socket.getSession())
                    .outcome(VerificationOutcome.of(socket.getSession())).build().toString();
            String digest = TlsaRecord.forCertificate(3, 1, 1, EXPIRED_WRONG_NAME.certificate()).dataHex().substring(0, 8);
            assertThat(line).startsWith("Verified TLS connection established to mx.example.com[127.0.0.1]:25: TLSv1.3 with cipher ")
                    .endsWith("; DANE TLSA 3 1 1 " + digest + "\u2026 matched end-entity key at depth 0");
        }
    }

    @Test
    void encryptLevelAcceptsAnyCertificateAndRecordsItAsUntrusted() throws Exception {
        ClientTlsContext tls = ClientTlsContext.builder(VerificationRequirement.anyCertificate(null)).serverName("mx.example.com").build();
        try (TestTlsServer server = TestTlsServer.start(EXPIRED_WRONG_NAME, List.of(EXPIRED_WRONG_NAME.certificate()));
                SSLSocket socket = connect(tls, server)) {
            socket.startHandshake();

            assertThat(VerificationOutcome.of(socket.getSession()).peerTrust()).isEqualTo(PeerTrust.UNTRUSTED);
        }
    }

    @Test
    void reusedContextResumesSessionsThatKeepTheirOutcome() throws Exception {
        ClientTlsContext tls = ClientTlsContext.builder(daneEe(EXPIRED_WRONG_NAME)).serverName("mx.example.com").build();
        try (TestTlsServer server = TestTlsServer.start(EXPIRED_WRONG_NAME, List.of(EXPIRED_WRONG_NAME.certificate()))) {
            List<Boolean> resumed = new ArrayList<>();
            for (int connection = 0; connection < 2; connection++) {
                try (SSLSocket socket = connect(tls, server)) {
                    socket.startHandshake();
                    // TLS 1.3 sends its session ticket after the handshake; one round trip makes sure it arrived.
                    socket.getOutputStream().write('x');
                    socket.getInputStream().read();

                    assertThat(VerificationOutcome.of(socket.getSession()).peerTrust()).isEqualTo(PeerTrust.VERIFIED);
                    resumed.add(VerificationOutcome.isResumed(socket));
                }
            }
            assertThat(resumed).containsExactly(false, true);
        }
    }

    @Test
    void everySocketOfTheFactoryAndThePlainSocketUnderStartTlsHaveNagleOff() throws Exception {
        ClientTlsContext tls = ClientTlsContext.builder(daneEe(EXPIRED_WRONG_NAME)).serverName("mx.example.com").build();
        try (TestTlsServer server = TestTlsServer.start(EXPIRED_WRONG_NAME, List.of(EXPIRED_WRONG_NAME.certificate()));
                Socket plain = new Socket(LOOPBACK, server.port());
                Socket unconnected = tls.socketFactory().createSocket();
                SSLSocket direct = connect(tls, server)) {
            assertThat(plain.getTcpNoDelay()).as("a new socket's default").isFalse();

            try (SSLSocket layered = (SSLSocket) tls.socketFactory().createSocket(plain, "mx.example.com", server.port(), true)) {
                assertThat(plain.getTcpNoDelay()).as("the plain socket STARTTLS is layered on").isTrue();
                assertThat(layered.getTcpNoDelay()).isTrue();
                layered.startHandshake();
                assertThat(VerificationOutcome.of(layered.getSession()).peerTrust()).isEqualTo(PeerTrust.VERIFIED);
            }
            assertThat(direct.getTcpNoDelay()).as("implicit TLS").isTrue();
            assertThat(unconnected.getTcpNoDelay()).as("unconnected, connected later by the library").isTrue();
        }
    }

    @Test
    void socketThatCannotTakeNoDelayIsNotLayeredOn() throws Exception {
        ClientTlsContext tls = ClientTlsContext.builder(daneEe(EXPIRED_WRONG_NAME)).serverName("mx.example.com").build();
        Socket closed = new Socket();
        closed.close();

        assertThatThrownBy(() -> tls.socketFactory().createSocket(closed, "mx.example.com", 25, true))
                .isInstanceOf(java.net.SocketException.class);
    }

    @Test
    void unsupportedProtocolIsRejectedWhenBuilding() {
        assertThatThrownBy(() -> ClientTlsContext.builder(daneEe(EXPIRED_WRONG_NAME)).protocols(List.of("TLSv1.9")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("TLS protocol \"TLSv1.9\" is not supported by this JVM; supported: [");
    }

    @Test
    void invalidSniNameIsRejectedWhenBuilding() {
        assertThatThrownBy(() -> ClientTlsContext.builder(daneEe(EXPIRED_WRONG_NAME)).serverName("bad name").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("SNI name \"bad name\" is not a valid host name");
    }
}
