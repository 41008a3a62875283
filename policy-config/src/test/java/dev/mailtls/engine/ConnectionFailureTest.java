package dev.mailtls.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.dane.TlsaRecord;
import dev.mailtls.dane.TlsaSet;
import dev.mailtls.policy.PolicyAction;
import dev.mailtls.policy.TlsLevel;
import dev.mailtls.testing.TestPki;
import dev.mailtls.tls.CertificateVerificationException;
import dev.mailtls.tls.ReferenceIdentifiers;
import dev.mailtls.tls.VerificationOutcome;
import dev.mailtls.tls.VerificationRequirement;
import java.io.IOException;
import java.net.ConnectException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** Failures as the mail libraries wrap them (a MessagingException-like outer exception with causes). */
class ConnectionFailureTest {
    private static final String PEER = "mx.example.com[192.0.2.1]:25";
    private static final ConnectionRequirement DANE = EngineTestRequirements.requirement(TlsLevel.DANE, PolicyAction.DEFER,
            ConnectionRequirement.Kind.DANE, null);
    private static final ConnectionRequirement MAY = EngineTestRequirements.requirement(TlsLevel.MAY, PolicyAction.DEFER,
            ConnectionRequirement.Kind.MAY, null);

    /** What a mail library throws: its own exception with the real failure as cause. */
    private static Exception wrapped(String message, Throwable cause) {
        return new Exception(message, cause);
    }

    @Test
    void refusedCertificateIsFoundDeepInTheCauseChainAndRefusedAtEveryLevel() {
        TestPki pki = TestPki.forServer("mx.example.com");
        VerificationOutcome outcome = VerificationRequirement.dane(TlsaSet.builder().baseDomain("mx.example.com", 25)
                .add(TlsaRecord.forCertificate(3, 0, 1, TestPki.forServer("other.example.com").leaf().certificate())).build(),
                ReferenceIdentifiers.none()).evaluate(pki.fullChain());
        SSLHandshakeException handshake = new SSLHandshakeException("certificate refused");
        handshake.initCause(new CertificateVerificationException(outcome));
        ConnectionFailure failure = ConnectionFailure.of(wrapped("Could not convert socket to TLS", new IOException(handshake)),
                true);

        assertThat(failure.kind()).isEqualTo(ConnectionFailure.Kind.CERTIFICATE_NOT_VERIFIED);
        assertThat(failure.outcome()).isSameAs(outcome);
        assertThat(failure.refusal(DANE, PEER).toString()).startsWith("454 4.7.5 Server certificate not verified: DANE:");
        assertThat(failure.refusal(MAY, PEER)).as("our trust manager refused it: never sent anyway").isNotNull();
    }

    @Test
    void starttlsNotOfferedIsA474UnderARequirementForTls() {
        ConnectionFailure failure = ConnectionFailure.of(new Exception("STARTTLS is required but host does not support STARTTLS"),
                false);
        assertThat(failure.kind()).isEqualTo(ConnectionFailure.Kind.STARTTLS_NOT_OFFERED);
        assertThat(failure.refusal(DANE, PEER).toString()).startsWith("454 4.7.4 TLS is required, but was not offered by host "
                + PEER + ". MailTLS Guard policy \"dane\"");
    }

    @Test
    void errorReplyBeforeTlsIsARefusedStarttlsAndAfterTlsIsNot() {
        Exception reply = new Exception("454 4.7.0 TLS not available due to local problem\n");
        ConnectionFailure before = ConnectionFailure.of(reply, false);
        assertThat(before.kind()).isEqualTo(ConnectionFailure.Kind.STARTTLS_REFUSED);
        assertThat(before.refusal(DANE, PEER).toString()).startsWith("454 4.7.4 TLS is required, but host " + PEER
                + " refused to start TLS: 454 4.7.0 TLS not available due to local problem.");
        assertThat(before.refusal(MAY, PEER)).as("level may retries in plaintext").isNull();
        assertThat(before.tlsFailed()).isTrue();

        ConnectionFailure after = ConnectionFailure.of(reply, true);
        assertThat(after.kind()).isEqualTo(ConnectionFailure.Kind.OTHER);
        assertThat(after.refusal(DANE, PEER)).isNull();
    }

    @Test
    void serviceNotAvailableBeforeTlsIsNoRefusalOfStarttls() {
        // 421 to EHLO or STARTTLS: the server is going away; a temporary failure, never the policy's refusal
        // (under action=reject that would bounce the mail).
        ConnectionFailure failure = ConnectionFailure.of(new Exception("421 4.3.2 Service shutting down\n"), false);
        assertThat(failure.kind()).isEqualTo(ConnectionFailure.Kind.OTHER);
        assertThat(failure.refusal(DANE, PEER)).isNull();
        assertThat(failure.tlsFailed()).isFalse();
    }

    @Test
    void failedHandshakeIsRefusedWhereTlsIsRequiredAndLeftToTheCallerAtLevelMay() {
        ConnectionFailure failure = ConnectionFailure.of(wrapped("Could not convert socket to TLS",
                new SSLHandshakeException("Received fatal alert: handshake_failure")), true);
        assertThat(failure.kind()).isEqualTo(ConnectionFailure.Kind.HANDSHAKE_FAILED);
        assertThat(failure.refusal(DANE, PEER).toString()).startsWith("454 4.7.5 TLS handshake with " + PEER
                + " failed: Received fatal alert: handshake_failure.");
        assertThat(failure.refusal(MAY, PEER)).isNull();
        assertThat(failure.tlsFailed()).isTrue();
    }

    @Test
    void networkFailureIsNoPolicyMatter() {
        ConnectionFailure failure = ConnectionFailure.of(wrapped("Couldn't connect to host, port: 192.0.2.1, 25",
                new ConnectException("Connection refused")), false);
        assertThat(failure.kind()).isEqualTo(ConnectionFailure.Kind.OTHER);
        assertThat(failure.tlsFailed()).isFalse();
        assertThat(failure.refusal(DANE, PEER)).isNull();
        assertThat(failure.describe(PEER)).isEqualTo("connection to " + PEER + " failed: Couldn't connect to host, port:"
                + " 192.0.2.1, 25");
    }

    @Test
    void causeCycleEnds() {
        Exception first = new Exception("first");
        Exception second = new Exception("second", first);
        first.initCause(second);
        assertThat(ConnectionFailure.of(first, false).kind()).isEqualTo(ConnectionFailure.Kind.OTHER);
    }
}
