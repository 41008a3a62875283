package dev.mailtls.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailtls.dane.TlsaRecord;
import dev.mailtls.dane.TlsaSet;
import dev.mailtls.testing.TestPki;
import dev.mailtls.tls.PeerTrust;
import dev.mailtls.tls.ReferenceIdentifiers;
import dev.mailtls.tls.VerificationOutcome;
import dev.mailtls.tls.VerificationRequirement;
import org.junit.jupiter.api.Test;

class TlsSummaryTest {
    private static final TestPki PKI = TestPki.forServer("mx.example.com");

    private static TlsSummary.Builder connection() {
        return TlsSummary.builder().host("mx.example.com").address("192.0.2.10").port(25).protocol("TLSv1.3")
                .cipherSuite("TLS_AES_256_GCM_SHA384");
    }

    @Test
    void daneTrustAnchorMatchIsLoggedWithAbbreviatedRecordAndDepth() {
        TlsaRecord record = TlsaRecord.forCertificate(2, 0, 1, PKI.root().certificate());
        VerificationOutcome outcome = VerificationRequirement.dane(
                TlsaSet.builder().baseDomain("mx.example.com", 25).add(record).build(), ReferenceIdentifiers.none())
                .evaluate(PKI.fullChain());

        assertThat(connection().outcome(outcome).build()).hasToString("Verified TLS connection established to mx.example.com[192.0.2.10]:25:"
                + " TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits); DANE TLSA 2 0 1 "
                + record.dataHex().substring(0, 8) + "\u2026 matched trust-anchor certificate at depth 2");
    }

    @Test
    void anonymousAndUntrustedWordsWithReuseAndTls12Cipher() {
        assertThat(connection().trust(PeerTrust.ANONYMOUS).protocol("TLSv1.2").cipherSuite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
                .reused(true).build()).hasToString("Anonymous TLS connection reused to mx.example.com[192.0.2.10]:25:"
                + " TLSv1.2 with cipher TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (128/128 bits)");
        assertThat(connection().trust(PeerTrust.UNTRUSTED).cipherSuite("TLS_CHACHA20_POLY1305_SHA256").build().toString())
                .startsWith("Untrusted TLS connection established").endsWith("(256/256 bits)");
    }

    @Test
    void callerMayDowngradeVerifiedToTrustedForInsecureMx() {
        VerificationOutcome outcome = VerificationRequirement.dane(TlsaSet.builder()
                .add(TlsaRecord.forCertificate(3, 1, 1, PKI.leaf().certificate())).build(), ReferenceIdentifiers.none())
                .evaluate(PKI.chainWithoutRoot());

        assertThat(connection().outcome(outcome).trust(PeerTrust.TRUSTED).build().toString())
                .startsWith("Trusted TLS connection established").contains("matched end-entity key at depth 0");
    }

    @Test
    void unknownCipherBitsAreLeftOut() {
        assertThat(connection().trust(PeerTrust.TRUSTED).cipherSuite("TLS_SM4_GCM_SM3").build().toString())
                .endsWith("with cipher TLS_SM4_GCM_SM3");
    }

    @Test
    void missingPartIsNamed() {
        assertThatThrownBy(() -> connection().build()).isInstanceOf(IllegalStateException.class).hasMessage("TLS summary needs trust");
    }
}
