package dev.mailtls.engine;

import dev.mailtls.tls.CertificateVerificationException;
import dev.mailtls.tls.VerificationOutcome;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Why an SMTP connection failed while it was being set up (connect, EHLO, STARTTLS, handshake),
 * read once from the exception a mail library threw and its cause chain, and whether that is the
 * policy's business: a certificate our trust manager refused, STARTTLS not offered or refused, a
 * failed handshake are TLS failures, which {@link #refusal} turns into the policy's reply where
 * the requirement demands TLS; anything else (connection refused, a timeout, a bad greeting) is
 * a network problem the caller reports as such. Immutable.
 */
public final class ConnectionFailure {
    /** What went wrong, as far as the policy is concerned. */
    public enum Kind {
        /** Our trust manager refused the server's certificate; {@link #outcome()} says why. */
        CERTIFICATE_NOT_VERIFIED,
        /** The library required STARTTLS and the server did not offer it. */
        STARTTLS_NOT_OFFERED,
        /** The server answered STARTTLS with an error reply ({@link #detail()}). */
        STARTTLS_REFUSED,
        /** The TLS handshake failed for another reason ({@link #detail()}). */
        HANDSHAKE_FAILED,
        /** Not a TLS matter. */
        OTHER
    }

    /** Angus's, Jakarta Mail's and JavaMail's text when STARTTLS is required and not offered. */
    static final String NO_STARTTLS = "STARTTLS is required but host does not support STARTTLS";
    /** Bounded: a hand-made exception can form a cause cycle, and this runs on the failure path. */
    private static final int MAX_CAUSE_DEPTH = 32;
    /**
     * An error reply, but not 421: a server may answer any command (the greeting, EHLO) with 421
     * when it shuts down or is overloaded (RFC 5321 3.8), which is no refusal of STARTTLS and, under
     * {@code action=reject}, must not bounce a mail.
     */
    private static final Pattern ERROR_REPLY = Pattern.compile("^(?!421)[45]\\d\\d(?:[ -].*)?$", Pattern.DOTALL);

    private final Kind kind;
    private final VerificationOutcome outcome;
    private final String detail;

    private ConnectionFailure(Kind kind, VerificationOutcome outcome, String detail) {
        this.kind = kind;
        this.outcome = outcome;
        this.detail = detail;
    }

    /**
     * Classifies {@code thrown}.
     *
     * @param tlsStarted whether the server had accepted STARTTLS (a TLS socket was made): an error
     *     reply after that (to the second EHLO, to AUTH) is no refusal of STARTTLS
     */
    public static ConnectionFailure of(Throwable thrown, boolean tlsStarted) {
        SSLException handshake = null;
        Throwable cause = thrown;
        for (int depth = 0; cause != null && depth < MAX_CAUSE_DEPTH; depth++, cause = cause.getCause()) {
            if (cause instanceof CertificateVerificationException
                    && ((CertificateVerificationException) cause).outcome() != null) {
                VerificationOutcome outcome = ((CertificateVerificationException) cause).outcome();
                return new ConnectionFailure(Kind.CERTIFICATE_NOT_VERIFIED, outcome, outcome.failureMessage());
            }
            if (handshake == null && cause instanceof SSLException) {
                handshake = (SSLException) cause;
            }
        }
        String message = thrown.getMessage() == null ? "" : thrown.getMessage().trim();
        if (NO_STARTTLS.equals(message)) {
            return new ConnectionFailure(Kind.STARTTLS_NOT_OFFERED, null, message);
        }
        if (handshake != null) {
            return new ConnectionFailure(Kind.HANDSHAKE_FAILED, null, handshake.getMessage());
        }
        if (!tlsStarted && ERROR_REPLY.matcher(message).matches()) {
            return new ConnectionFailure(Kind.STARTTLS_REFUSED, null, message);
        }
        return new ConnectionFailure(Kind.OTHER, null, message);
    }

    public Kind kind() {
        return kind;
    }

    /** The verification outcome of a refused certificate; {@code null} for the other kinds. */
    public VerificationOutcome outcome() {
        return outcome;
    }

    /** The handshake's message, the server's reply, or the exception's message. */
    public String detail() {
        return detail;
    }

    /** Whether STARTTLS or the handshake failed: at level {@code may} a plaintext retry is allowed (Postfix does it). */
    public boolean tlsFailed() {
        return kind != Kind.OTHER;
    }

    /**
     * What happened, in the words of every front end's log lines and replies, e.g. {@code TLS
     * handshake with mx.example.com[192.0.2.1]:25 failed: Received fatal alert: handshake_failure}.
     *
     * @param peer the server as the log names it
     */
    public String describe(String peer) {
        switch (kind) {
            case CERTIFICATE_NOT_VERIFIED:
                return "Server certificate not verified: " + detail;
            case STARTTLS_NOT_OFFERED:
                return "TLS is required, but was not offered by host " + peer;
            case STARTTLS_REFUSED:
                return "host " + peer + " refused to start TLS: " + detail;
            case HANDSHAKE_FAILED:
                return "TLS handshake with " + peer + " failed: " + detail;
            default:
                return "connection to " + peer + " failed: " + detail;
        }
    }

    /**
     * The policy's reply to this failure under {@code requirement}, or {@code null} when it is not
     * the policy's refusal: a network problem, or a TLS failure at a level that allows plaintext
     * ({@code may}, {@code none}), where the caller may retry without TLS.
     *
     * @param peer the server as the log names it
     */
    public RefusalReply refusal(ConnectionRequirement requirement, String peer) {
        switch (kind) {
            case CERTIFICATE_NOT_VERIFIED:
                return RefusalReply.of(requirement.match().rule(), RefusalReply.NOT_VERIFIED, describe(peer));
            case STARTTLS_NOT_OFFERED:
                return requirement.kind().tlsRequired()
                        ? RefusalReply.of(requirement.match().rule(), RefusalReply.TLS_NOT_AVAILABLE, describe(peer)) : null;
            case STARTTLS_REFUSED:
                return requirement.kind().tlsRequired() ? RefusalReply.of(requirement.match().rule(),
                        RefusalReply.TLS_NOT_AVAILABLE, "TLS is required, but " + describe(peer)) : null;
            case HANDSHAKE_FAILED:
                return requirement.kind().tlsRequired()
                        ? RefusalReply.of(requirement.match().rule(), RefusalReply.NOT_VERIFIED, describe(peer)) : null;
            default:
                return null;
        }
    }

    @Override
    public String toString() {
        return kind + ": " + detail;
    }
}
