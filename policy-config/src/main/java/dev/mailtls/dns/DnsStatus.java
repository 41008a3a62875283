package dev.mailtls.dns;

/**
 * The DNSSEC security state of one DNS answer (RFC 4033 §5, RFC 7672 §2.1.1). Only {@link #SECURE}
 * and {@link #INSECURE} are answers; {@link #BOGUS} and {@link #INDETERMINATE} mean that nothing
 * trustworthy was learned, and RFC 7672 treats both alike: the lookup failed.
 */
public enum DnsStatus {
    /** Validated from a trust anchor (validate mode) or marked AD by a trusted local resolver. */
    SECURE("secure"),
    /** A real answer from an unsigned zone, or from below an insecure delegation. */
    INSECURE("insecure"),
    /** Signatures were present and wrong, expired or missing where they were required. */
    BOGUS("bogus"),
    /** No usable answer: timeout, SERVFAIL without DNSSEC detail, malformed or unexpected reply. */
    INDETERMINATE("indeterminate");

    private final String text;

    DnsStatus(String text) {
        this.text = text;
    }

    /** Whether this is an answer (secure or insecure, including NXDOMAIN and NODATA). */
    public boolean isAnswer() {
        return this == SECURE || this == INSECURE;
    }

    /**
     * The state of data reached through this state and then {@code next}, as along a CNAME chain:
     * a failure anywhere fails the whole, and one insecure hop makes the rest insecure
     * (RFC 7672 §2.2.2).
     */
    public DnsStatus then(DnsStatus next) {
        if (!isAnswer()) {
            return this;
        }
        if (!next.isAnswer()) {
            return next;
        }
        return this == SECURE && next == SECURE ? SECURE : INSECURE;
    }

    @Override
    public String toString() {
        return text;
    }
}
