package dev.mailtls.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.dane.TlsaRecord;
import dev.mailtls.dane.TlsaSet;
import dev.mailtls.dns.TestTlsaOutcomes;
import dev.mailtls.policy.PolicyAction;
import dev.mailtls.policy.TlsLevel;
import dev.mailtls.testing.TestPki;
import dev.mailtls.tls.PeerTrust;
import dev.mailtls.tls.ReferenceIdentifiers;
import dev.mailtls.tls.VerificationOutcome;
import dev.mailtls.tls.VerificationRequirement;
import org.junit.jupiter.api.Test;

class ConnectionTrustTest {
    private static final TestPki PKI = TestPki.forServer("mx.example.com");
    private static final TlsaRecord RECORD = TlsaRecord.forCertificate(3, 0, 1, PKI.leaf().certificate());
    private static final VerificationOutcome MATCHED = VerificationRequirement.dane(
            TlsaSet.builder().baseDomain("mx.example.com", 25).add(RECORD).build(), ReferenceIdentifiers.none())
            .evaluate(PKI.fullChain());

    @Test
    void daneMatchBehindASecureMxIsVerified() {
        ConnectionRequirement requirement = EngineTestRequirements.requirement(TlsLevel.DANE, PolicyAction.DEFER,
                ConnectionRequirement.Kind.DANE, TestTlsaOutcomes.secure("mx.example.com", 25, RECORD));
        assertThat(MATCHED.peerTrust()).isEqualTo(PeerTrust.VERIFIED);
        assertThat(ConnectionTrust.of(requirement, MATCHED)).isEqualTo(PeerTrust.VERIFIED);
    }

    @Test
    void daneMatchBehindAnInsecureMxIsAtBestTrusted() {
        ConnectionRequirement requirement = EngineTestRequirements.requirement(TlsLevel.DANE, PolicyAction.DEFER,
                ConnectionRequirement.Kind.DANE, TestTlsaOutcomes.secureBehindInsecureMx("mx.example.com", 25, RECORD));
        assertThat(ConnectionTrust.of(requirement, MATCHED)).isEqualTo(PeerTrust.TRUSTED);
    }

    @Test
    void noOutcomeIsUntrusted() {
        ConnectionRequirement requirement = EngineTestRequirements.requirement(TlsLevel.MAY, PolicyAction.DEFER,
                ConnectionRequirement.Kind.MAY, null);
        assertThat(ConnectionTrust.of(requirement, null)).isEqualTo(PeerTrust.UNTRUSTED);
    }
}
