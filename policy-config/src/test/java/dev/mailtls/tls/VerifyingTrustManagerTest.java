package dev.mailtls.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.mailtls.dane.TlsaRecord;
import dev.mailtls.dane.TlsaSet;
import dev.mailtls.testing.TestCertificate;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;

class VerifyingTrustManagerTest {
    private static final TestCertificate SERVER = TestCertificate.builder().dnsNames("mx.example.com").build();
    private static final X509Certificate[] CHAIN = {SERVER.certificate()};

    private static VerifyingTrustManager daneFor(TestCertificate published) {
        return new VerifyingTrustManager(VerificationRequirement.dane(TlsaSet.builder().baseDomain("mx.example.com", 25)
                .add(TlsaRecord.forCertificate(3, 1, 1, published.certificate())).build(), ReferenceIdentifiers.none()));
    }

    @Test
    void isAnExtendedTrustManagerSoTheJdkAddsNoHostnameCheck() {
        assertThat(daneFor(SERVER)).isInstanceOf(X509ExtendedTrustManager.class);
    }

    @Test
    void matchingChainPassesWithoutSocket() throws Exception {
        daneFor(SERVER).checkServerTrusted(CHAIN, "ECDHE_ECDSA");
    }

    @Test
    void mismatchThrowsExceptionCarryingTheOutcome() {
        Throwable failure = catchThrowable(
                () -> daneFor(TestCertificate.builder().build()).checkServerTrusted(CHAIN, "ECDHE_ECDSA"));

        assertThat(failure).isInstanceOf(CertificateVerificationException.class).hasMessageStartingWith("DANE: no TLSA record");
        assertThat(((CertificateVerificationException) failure).outcome().peerChain()).containsExactly(SERVER.certificate());
        assertThat(VerificationOutcome.fromFailure(failure)).isSameAs(((CertificateVerificationException) failure).outcome());
    }

    @Test
    void reportOnlyRequirementLetsMismatchThrough() throws Exception {
        VerifyingTrustManager audit = new VerifyingTrustManager(VerificationRequirement.dane(TlsaSet.builder()
                .add(TlsaRecord.of(3, 1, 1, new byte[32])).build(), ReferenceIdentifiers.none()).reportOnly());

        audit.checkServerTrusted(CHAIN, "ECDHE_ECDSA");
    }

    @Test
    void refusesToJudgeClientCertificates() {
        assertThatThrownBy(() -> daneFor(SERVER).checkClientTrusted(CHAIN, "ECDHE_ECDSA"))
                .isInstanceOf(CertificateException.class)
                .hasMessageContaining("verifies SMTP servers only");
        assertThat(daneFor(SERVER).getAcceptedIssuers()).isEmpty();
    }

    @Test
    void failureWithoutVerificationCauseHasNoOutcome() {
        assertThat(VerificationOutcome.fromFailure(new IOException("connection reset"))).isNull();
    }
}
