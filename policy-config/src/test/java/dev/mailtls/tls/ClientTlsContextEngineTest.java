package dev.mailtls.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.mailtls.dane.TlsaRecord;
import dev.mailtls.dane.TlsaSet;
import dev.mailtls.testing.TestCertificate;
import java.nio.ByteBuffer;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

/** The trust manager records through an {@link SSLEngine} as well (NIO clients such as Netty). */
class ClientTlsContextEngineTest {
    private static final TestCertificate SERVER = TestCertificate.builder().dnsNames("wrong.example.org").expired().build();

    private static SSLEngine serverEngine() throws Exception {
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance("SunX509");
        keyManagers.init(SERVER.keyStore("server", "pw".toCharArray(), List.of(SERVER.certificate())), "pw".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        return engine;
    }

    private static ClientTlsContext daneEe(TestCertificate published) throws Exception {
        return ClientTlsContext.builder(VerificationRequirement.dane(TlsaSet.builder().baseDomain("mx.example.com", 25)
                .add(TlsaRecord.forCertificate(3, 1, 1, published.certificate())).build(), ReferenceIdentifiers.none()))
                .serverName("mx.example.com").build();
    }

    /** Runs both engines in memory until neither has handshake work left. */
    private static void handshake(SSLEngine client, SSLEngine server) throws Exception {
        int size = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
        ByteBuffer clientToServer = ByteBuffer.allocate(size * 4);
        ByteBuffer serverToClient = ByteBuffer.allocate(size * 4);
        ByteBuffer application = ByteBuffer.allocate(client.getSession().getApplicationBufferSize() * 4);
        ByteBuffer empty = ByteBuffer.allocate(0);
        client.beginHandshake();
        server.beginHandshake();
        for (int round = 0; round < 100 && (busy(client) || busy(server)); round++) {
            step(client, empty, clientToServer, serverToClient, application);
            step(server, empty, serverToClient, clientToServer, application);
        }
    }

    private static boolean busy(SSLEngine engine) {
        HandshakeStatus status = engine.getHandshakeStatus();
        return status != HandshakeStatus.NOT_HANDSHAKING && status != HandshakeStatus.FINISHED;
    }

    private static void step(SSLEngine engine, ByteBuffer empty, ByteBuffer outgoing, ByteBuffer incoming, ByteBuffer application)
            throws SSLException {
        engine.wrap(empty, outgoing);
        incoming.flip();
        engine.unwrap(incoming, application);
        incoming.compact();
        application.clear();
        for (Runnable task; (task = engine.getDelegatedTask()) != null;) {
            task.run();
        }
    }

    @Test
    void engineHandshakeRecordsOutcomeInSession() throws Exception {
        SSLEngine client = daneEe(SERVER).createEngine("mx.example.com", 25);

        handshake(client, serverEngine());

        VerificationOutcome outcome = VerificationOutcome.of(client.getSession());
        assertThat(outcome.peerTrust()).isEqualTo(PeerTrust.VERIFIED);
        assertThat(outcome.daneMatch().depth()).isZero();
        assertThat(client.getSSLParameters().getEndpointIdentificationAlgorithm()).isNull();
    }

    @Test
    void engineMismatchFailsWithVerificationMessage() throws Exception {
        SSLEngine client = daneEe(TestCertificate.builder().build()).createEngine("mx.example.com", 25);

        Throwable failure = catchThrowable(() -> handshake(client, serverEngine()));

        assertThat(VerificationOutcome.fromFailure(failure).failureMessage()).startsWith("DANE: no TLSA record of _25._tcp.mx.example.com");
    }
}
