package dev.mailtls.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailtls.dane.TlsaRecord;
import dev.mailtls.dane.TlsaSet;
import dev.mailtls.testing.TestCertificate;
import dev.mailtls.testing.TestPki;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;

class VerificationRequirementTest {
    private static final TestPki PKI = TestPki.forServer("mx.example.com");
    private static final TrustStore TRUSTING_PKI = TrustStore.of(List.of(PKI.root().certificate()), "test roots");

    private static TlsaSet tlsa(TlsaRecord... records) {
        return TlsaSet.builder().baseDomain("mx.example.com", 25).addAll(List.of(records)).build();
    }

    private static TlsaRecord taRecordFor(X509Certificate anchor) {
        return TlsaRecord.forCertificate(2, 1, 1, anchor);
    }

    @Test
    void daneEeIgnoresExpiryAndName() {
        TestCertificate expiredWrongName = TestCertificate.builder().dnsNames("wrong.example.org").expired().build();
        VerificationRequirement requirement = VerificationRequirement.dane(
                tlsa(TlsaRecord.forCertificate(3, 1, 1, expiredWrongName.certificate())), ReferenceIdentifiers.none());

        VerificationOutcome outcome = requirement.evaluate(List.of(expiredWrongName.certificate()));

        assertThat(outcome.isAuthenticated()).isTrue();
        assertThat(outcome.peerTrust()).isEqualTo(PeerTrust.VERIFIED);
        assertThat(outcome.daneMatch().depth()).isZero();
        assertThat(outcome.matchedName()).isNull();
    }

    @Test
    void daneTaRejectsServerCertificateWithWrongName() {
        TestPki pki = TestPki.forServer("mail.other.org");
        VerificationRequirement requirement = VerificationRequirement.dane(
                tlsa(taRecordFor(pki.intermediate().certificate())), ReferenceIdentifiers.of("example.com"));

        VerificationOutcome outcome = requirement.evaluate(pki.chainWithoutRoot());

        assertThat(outcome.isAuthenticated()).isFalse();
        assertThat(outcome.isAccepted()).isFalse();
        assertThat(outcome.peerTrust()).isEqualTo(PeerTrust.TRUSTED);
        assertThat(outcome.daneMatch().depth()).isEqualTo(1);
        assertThat(outcome.failureMessage())
                .startsWith("DANE: TLSA 2 1 1 ")
                .contains("matched trust-anchor key at depth 1")
                .contains("the server certificate's names [mail.other.org] match none of the expected names"
                        + " [mx.example.com, example.com]");
    }

    @Test
    void daneTaAcceptsAnyReferenceIdentifierIncludingTheBaseDomain() {
        TestPki nextHopNamed = TestPki.forServer("example.com");
        VerificationRequirement requirement = VerificationRequirement.dane(
                tlsa(taRecordFor(nextHopNamed.intermediate().certificate()), taRecordFor(PKI.intermediate().certificate())),
                ReferenceIdentifiers.of("example.com"));

        assertThat(requirement.referenceIdentifiers().names()).containsExactly("mx.example.com", "example.com");
        assertThat(requirement.evaluate(nextHopNamed.chainWithoutRoot()).matchedName()).isEqualTo("example.com");
        assertThat(requirement.evaluate(PKI.chainWithoutRoot()).matchedName()).isEqualTo("mx.example.com");
    }

    @Test
    void daneRequirementNeedsUsableRecords() {
        TlsaSet unusable = tlsa(TlsaRecord.forCertificate(1, 1, 1, PKI.leaf().certificate()));

        assertThatThrownBy(() -> VerificationRequirement.dane(unusable, ReferenceIdentifiers.none()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no usable TLSA record")
                .hasMessageContaining("use anyCertificate()");
    }

    @Test
    void daneMismatchIsUntrustedWithObservedAndExpectedInMessage() {
        TlsaRecord other = TlsaRecord.forCertificate(3, 1, 1, TestCertificate.builder().build().certificate());
        VerificationRequirement requirement = VerificationRequirement.dane(tlsa(other), ReferenceIdentifiers.none());

        VerificationOutcome outcome = requirement.evaluate(PKI.chainWithoutRoot());

        assertThat(outcome.peerTrust()).isEqualTo(PeerTrust.UNTRUSTED);
        assertThat(outcome.failureMessage()).startsWith("DANE: no TLSA record of _25._tcp.mx.example.com matched; depth 0 SPKI sha256 = "
                + TlsaRecord.forCertificate(3, 1, 1, PKI.leaf().certificate()).dataHex() + "; expected: " + other);
    }

    @Test
    void pkixVerifiesChainToTrustedCaWithMatchingName() {
        VerificationOutcome outcome = VerificationRequirement.pkix(TRUSTING_PKI, ReferenceIdentifiers.of("mx.example.com"))
                .evaluate(PKI.chainWithoutRoot());

        assertThat(outcome.isAuthenticated()).isTrue();
        assertThat(outcome.peerTrust()).isEqualTo(PeerTrust.VERIFIED);
        assertThat(outcome.matchedName()).isEqualTo("mx.example.com");
        assertThat(outcome.daneMatch()).isNull();
    }

    @Test
    void pkixRejectsChainFromUntrustedCa() {
        TestPki other = TestPki.forServer("mx.example.com");

        VerificationOutcome outcome = VerificationRequirement.pkix(TRUSTING_PKI, ReferenceIdentifiers.of("mx.example.com"))
                .evaluate(other.chainWithoutRoot());

        assertThat(outcome.isAuthenticated()).isFalse();
        assertThat(outcome.peerTrust()).isEqualTo(PeerTrust.UNTRUSTED);
        assertThat(outcome.failureMessage()).startsWith("PKIX: the chain does not lead to a CA of test roots (1 certificate)");
    }

    @Test
    void pkixRejectsWrongNameButCallsChainTrusted() {
        VerificationOutcome outcome = VerificationRequirement.pkix(TRUSTING_PKI, ReferenceIdentifiers.of("mx2.example.com"))
                .evaluate(PKI.chainWithoutRoot());

        assertThat(outcome.isAuthenticated()).isFalse();
        assertThat(outcome.peerTrust()).isEqualTo(PeerTrust.TRUSTED);
        assertThat(outcome.failureMessage()).isEqualTo("PKIX: the chain is trusted, but the server certificate's names"
                + " [mx.example.com] match none of the expected names [mx2.example.com]; the server needs a certificate for one of the"
                + " expected names");
    }

    @Test
    void pkixRejectsExpiredServerCertificate() {
        TestPki pki = TestPki.builder().leaf(leaf -> leaf.dnsNames("mx.example.com").expired()).build();

        VerificationOutcome outcome = VerificationRequirement.pkix(TrustStore.of(List.of(pki.root().certificate()), "test"),
                ReferenceIdentifiers.of("mx.example.com")).evaluate(pki.chainWithoutRoot());

        assertThat(outcome.failureMessage()).startsWith("PKIX: the certificate at depth 0").contains("expired on");
    }

    @Test
    void pkixRejectsCertificateNotMeantForServers() {
        TestPki pki = TestPki.builder().leaf(leaf -> leaf.dnsNames("mx.example.com").extendedKeyUsage(KeyPurposeId.id_kp_clientAuth))
                .build();

        VerificationOutcome outcome = VerificationRequirement.pkix(TrustStore.of(List.of(pki.root().certificate()), "test"),
                ReferenceIdentifiers.of("mx.example.com")).evaluate(pki.chainWithoutRoot());

        assertThat(outcome.failureMessage()).contains("lacks serverAuth");
    }

    @Test
    void pkixWithoutNamesIsRefused() {
        assertThatThrownBy(() -> VerificationRequirement.pkix(TRUSTING_PKI, ReferenceIdentifiers.none()))
                .hasMessageStartingWith("PKIX verification needs at least one name");
    }

    @Test
    void anyCertificateAcceptsEverythingAndClassifiesAgainstTrustStore() {
        VerificationRequirement any = VerificationRequirement.anyCertificate(TRUSTING_PKI);

        VerificationOutcome caSigned = any.evaluate(PKI.chainWithoutRoot());
        VerificationOutcome selfSigned = any.evaluate(List.of(TestCertificate.builder().build().certificate()));

        assertThat(caSigned.isAccepted()).isTrue();
        assertThat(caSigned.peerTrust()).isEqualTo(PeerTrust.TRUSTED);
        assertThat(selfSigned.isAccepted()).isTrue();
        assertThat(selfSigned.peerTrust()).isEqualTo(PeerTrust.UNTRUSTED);
        assertThat(VerificationRequirement.anyCertificate(null).evaluate(PKI.chainWithoutRoot()).peerTrust())
                .isEqualTo(PeerTrust.UNTRUSTED);
    }

    @Test
    void noCertificateIsAnonymous() {
        assertThat(VerificationRequirement.anyCertificate(null).evaluate(List.of()).peerTrust()).isEqualTo(PeerTrust.ANONYMOUS);
        VerificationOutcome dane = VerificationRequirement.dane(tlsa(taRecordFor(PKI.root().certificate())), ReferenceIdentifiers.none())
                .evaluate(List.of());
        assertThat(dane.peerTrust()).isEqualTo(PeerTrust.ANONYMOUS);
        assertThat(dane.failureMessage()).isEqualTo("DANE: the server sent no certificate");
    }

    @Test
    void reportOnlyRecordsFailureButAcceptsConnection() {
        TlsaRecord other = TlsaRecord.forCertificate(3, 1, 1, TestCertificate.builder().build().certificate());
        VerificationRequirement audit = VerificationRequirement.dane(tlsa(other), ReferenceIdentifiers.none()).reportOnly();

        VerificationOutcome outcome = audit.evaluate(PKI.chainWithoutRoot());

        assertThat(outcome.isAuthenticated()).isFalse();
        assertThat(outcome.isAccepted()).isTrue();
        assertThat(outcome.failureMessage()).startsWith("DANE: no TLSA record");
        assertThat(audit.toString()).endsWith("(report only)");
    }
}
