package dev.mailtls.agent.guard;

import dev.mailtls.dane.TlsaSet;
import dev.mailtls.engine.ConnectionRequirement;
import dev.mailtls.policy.PolicyAction;
import dev.mailtls.tls.ClientTlsContext;
import dev.mailtls.tls.ReferenceIdentifiers;
import dev.mailtls.tls.TlsSettings;
import dev.mailtls.tls.TrustStore;
import dev.mailtls.tls.VerificationRequirement;
import java.security.GeneralSecurityException;

/**
 * Turns a {@link ConnectionRequirement} into the TLS client context whose trust manager enforces
 * it: DANE against the TLSA records, PKIX against the trust store and the required names, or
 * "any certificate, recorded" where no authentication is required. Under {@code action=audit}
 * the same checks run and are recorded, but never fail the handshake.
 */
final class HandshakeContexts {
    private final TlsSettings settings;
    private final TrustStore trustStore;

    HandshakeContexts(TlsSettings settings, TrustStore trustStore) {
        this.settings = settings;
        this.trustStore = trustStore;
    }

    ClientTlsContext contextFor(ConnectionRequirement requirement) throws GeneralSecurityException {
        VerificationRequirement verification;
        switch (requirement.kind()) {
            case DANE:
                TlsaSet tlsa = TlsaSet.builder().baseDomain(requirement.tlsa().baseDomain(), requirement.port())
                        .addAll(requirement.tlsa().records()).build();
                verification = VerificationRequirement.dane(tlsa, ReferenceIdentifiers.of(requirement.names()));
                break;
            case VERIFY:
            case SECURE:
                verification = VerificationRequirement.pkix(trustStore, ReferenceIdentifiers.of(requirement.names()));
                break;
            default:
                // The trust store only tells Trusted from Untrusted in the log line here.
                verification = VerificationRequirement.anyCertificate(trustStore);
        }
        if (requirement.match().policy().action() == PolicyAction.AUDIT) {
            verification = verification.reportOnly();
        }
        return ClientTlsContext.builder(verification).settings(settings).serverName(requirement.serverName()).build();
    }
}
