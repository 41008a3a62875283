package dev.mailtls.tls;

import java.security.cert.CertificateException;

/**
 * Thrown by {@link VerifyingTrustManager} to abort a handshake whose server certificate does not
 * meet the {@link VerificationRequirement}. The JDK wraps it in an {@code SSLHandshakeException},
 * and mail libraries wrap that again; {@link VerificationOutcome#fromFailure(Throwable)} finds it
 * in the cause chain. The message is {@link VerificationOutcome#failureMessage()}.
 */
public final class CertificateVerificationException extends CertificateException {
    private static final long serialVersionUID = 1L;

    // Transient: the outcome holds certificates and must not make the exception unserialisable.
    private final transient VerificationOutcome outcome;

    public CertificateVerificationException(VerificationOutcome outcome) {
        super(outcome.failureMessage());
        this.outcome = outcome;
    }

    /** What was checked and what failed; {@code null} after deserialisation. */
    public VerificationOutcome outcome() {
        return outcome;
    }
}
