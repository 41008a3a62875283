package dev.mailtls.engine;

import dev.mailtls.policy.PolicyAction;
import dev.mailtls.policy.PolicyRule;

/**
 * The SMTP reply every front end gives when the policy refuses a connection: {@code 454 4.7.x}
 * under {@code action=defer} (temporary: try again later), {@code 554 5.7.x} under
 * {@code action=reject} (permanent: bounce now), followed by the {@link RefusalText}. The detail
 * digit follows Postfix: {@value #TLS_NOT_AVAILABLE} when TLS was not offered or not started,
 * {@value #NOT_VERIFIED} when the TLSA lookup, the handshake or the certificate verification failed.
 * Immutable.
 */
public final class RefusalReply {
    /** Enhanced status detail: TLS was not offered or not started (Postfix's 4.7.4). */
    public static final int TLS_NOT_AVAILABLE = 4;
    /** Enhanced status detail: TLSA lookup, handshake or certificate verification failed (Postfix's 4.7.5). */
    public static final int NOT_VERIFIED = 5;

    private final int code;
    private final String enhancedStatus;
    private final String what;
    private final String text;

    private RefusalReply(int code, String enhancedStatus, String what, String text) {
        this.code = code;
        this.enhancedStatus = enhancedStatus;
        this.what = what;
        this.text = text;
    }

    /**
     * The reply for {@code what} under {@code rule}.
     *
     * @param detail {@link #TLS_NOT_AVAILABLE} or {@link #NOT_VERIFIED}
     * @param what what happened, e.g. "TLS is required, but was not offered by host mx.example.com"
     */
    public static RefusalReply of(PolicyRule rule, int detail, String what) {
        if (detail != TLS_NOT_AVAILABLE && detail != NOT_VERIFIED) {
            throw new IllegalArgumentException("refusal detail " + detail + ": use RefusalReply.TLS_NOT_AVAILABLE (4)"
                    + " or RefusalReply.NOT_VERIFIED (5)");
        }
        boolean reject = rule.policy().action() == PolicyAction.REJECT;
        return new RefusalReply(reject ? 554 : 454, (reject ? "5.7." : "4.7.") + detail, what, RefusalText.of(rule, what));
    }

    /** {@code 554} (reject) or {@code 454} (defer). */
    public int code() {
        return code;
    }

    /** The RFC 3463 status, e.g. {@code 4.7.5}. */
    public String enhancedStatus() {
        return enhancedStatus;
    }

    /** Whether the message is to be returned to its sender now ({@code action=reject}). */
    public boolean permanent() {
        return code >= 500;
    }

    /** What happened, without the rule: for log lines that name the rule themselves. */
    public String what() {
        return what;
    }

    /** The text after code and status: what happened, the rule and where it was written, the consequence. */
    public String text() {
        return text;
    }

    /** The whole reply line, e.g. {@code 454 4.7.4 TLS is required, but ...; message deferred (action=defer)}. */
    @Override
    public String toString() {
        return code + " " + enhancedStatus + " " + text;
    }
}
