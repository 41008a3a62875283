package dev.mailtls.tls;

import dev.mailtls.dane.DaneMatch;
import java.lang.ref.WeakReference;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * What happened when one server chain was checked against a {@link VerificationRequirement}: the
 * chain, the TLSA record that matched and at which depth, whether the chain was trusted, which
 * name matched, and, on failure, a message saying what was observed and what was expected.
 * Immutable. The caller writes its one log line from it (see {@code dev.mailtls.log.TlsSummary})
 * and builds error messages from {@link #failureMessage()}.
 *
 * <p>After a handshake, get it from the session with {@link #of(SSLSession)}; after a failed
 * handshake, from the exception with {@link #fromFailure(Throwable)}.
 */
public final class VerificationOutcome {
    /** The SSLSession value name under which {@link VerifyingTrustManager} records the outcome. */
    static final String SESSION_KEY = "dev.mailtls.tls.VerificationOutcome";
    /** The SSLSession value name of a weak reference to the socket or engine whose handshake recorded the outcome. */
    static final String CONNECTION_KEY = "dev.mailtls.tls.VerifiedConnection";

    private static final int MAX_CAUSE_DEPTH = 32;

    private final VerificationRequirement requirement;
    private final List<X509Certificate> chain;
    private final DaneMatch daneMatch;
    private final boolean chainTrusted;
    private final String matchedName;
    private final String failureMessage;

    VerificationOutcome(VerificationRequirement requirement, List<X509Certificate> chain, DaneMatch daneMatch,
            boolean chainTrusted, String matchedName, String failureMessage) {
        this.requirement = requirement;
        this.chain = chain;
        this.daneMatch = daneMatch;
        this.chainTrusted = chainTrusted;
        this.matchedName = matchedName;
        this.failureMessage = failureMessage;
    }

    /**
     * The outcome recorded for the handshake of {@code session}, or {@code null} when our trust
     * manager did not check this session's certificate (it was made by another SSLContext). A
     * resumed session carries the outcome of the connection that first established it, under the
     * same requirement because sessions resume only within one {@code ClientTlsContext}; see
     * {@link #isResumed(SSLSocket)}.
     */
    public static VerificationOutcome of(SSLSession session) {
        Object value = session == null ? null : session.getValue(SESSION_KEY);
        return value instanceof VerificationOutcome ? (VerificationOutcome) value : null;
    }

    /**
     * Whether {@code socket}'s session was resumed from an earlier connection rather than verified
     * during this handshake: its {@linkplain #of(SSLSession) outcome} is then the earlier one, and
     * Postfix logs such a connection as {@code reused}. False when no outcome was recorded.
     */
    public static boolean isResumed(SSLSocket socket) {
        Object value = socket.getSession().getValue(CONNECTION_KEY);
        return value instanceof WeakReference && ((WeakReference<?>) value).get() != socket;
    }

    /**
     * The outcome carried by a failed handshake: the {@link CertificateVerificationException} found
     * in the cause chain of {@code failure} (for example an {@code SSLHandshakeException} wrapped in
     * a {@code MessagingException}), or {@code null} when the failure was something else.
     */
    public static VerificationOutcome fromFailure(Throwable failure) {
        // Bounded: a hand-made exception can form a cause cycle, and this runs on the failure path.
        Throwable cause = failure;
        for (int depth = 0; cause != null && depth < MAX_CAUSE_DEPTH; depth++, cause = cause.getCause()) {
            if (cause instanceof CertificateVerificationException) {
                return ((CertificateVerificationException) cause).outcome();
            }
        }
        return null;
    }

    public VerificationRequirement requirement() {
        return requirement;
    }

    /** The certificates the server sent, its own first; empty when it sent none. */
    public List<X509Certificate> peerChain() {
        return chain;
    }

    /** The TLSA record that matched and its depth, or {@code null} (no DANE, or no match). */
    public DaneMatch daneMatch() {
        return daneMatch;
    }

    /**
     * Whether the chain itself is trusted: a TLSA record matched (with a valid chain up to a
     * DANE-TA anchor), or the chain leads to a CA of the trust store. Says nothing about names.
     */
    public boolean isChainTrusted() {
        return chainTrusted;
    }

    /** The reference identifier the server certificate matched, or {@code null} (not checked, or no match). */
    public String matchedName() {
        return matchedName;
    }

    /** Whether the requirement was met. Always true for {@link VerificationRequirement.Kind#ANY_CERTIFICATE}. */
    public boolean isAuthenticated() {
        return failureMessage == null;
    }

    /** Whether the connection may proceed: authenticated, or the requirement is {@linkplain VerificationRequirement#reportOnly() report-only}. */
    public boolean isAccepted() {
        return isAuthenticated() || !requirement.isEnforced();
    }

    /**
     * What failed, observed next to expected, starting with {@code DANE:} or {@code PKIX:}; e.g.
     * {@code DANE: no TLSA record of _25._tcp.mx.example.com matched; depth 0 SPKI sha256 = 9F2C...;
     * expected: 3 1 1 77D0...}. {@code null} when authenticated.
     */
    public String failureMessage() {
        return failureMessage;
    }

    /**
     * The Postfix log word for this outcome. A caller that knows more may log a weaker word: for
     * an insecure MX with secure TLSA records (Postfix's "half-dane") it must log
     * {@link PeerTrust#TRUSTED} even when this says {@link PeerTrust#VERIFIED}.
     */
    public PeerTrust peerTrust() {
        if (chain.isEmpty()) {
            return PeerTrust.ANONYMOUS;
        }
        if (isAuthenticated() && requirement.kind() != VerificationRequirement.Kind.ANY_CERTIFICATE) {
            return PeerTrust.VERIFIED;
        }
        return chainTrusted ? PeerTrust.TRUSTED : PeerTrust.UNTRUSTED;
    }

    /** For example {@code Verified: TLSA 3 1 1 9F2C... matched end-entity key at depth 0}, or the failure message. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(peerTrust().logWord());
        if (daneMatch != null) {
            text.append(": ").append(daneMatch);
        }
        if (matchedName != null) {
            text.append("; name ").append(matchedName);
        }
        if (failureMessage != null) {
            text.append("; ").append(failureMessage);
        }
        return text.toString();
    }
}
