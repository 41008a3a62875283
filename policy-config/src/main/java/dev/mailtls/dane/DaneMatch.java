package dev.mailtls.dane;

import java.security.cert.X509Certificate;

/**
 * Which TLSA record authenticated a server chain, and at which depth: depth 0 is the server's own
 * certificate, depth 1 the certificate the server sent after it, and so on. Immutable; made by
 * {@link TlsaSet#authenticate}.
 *
 * <p>A {@link TlsaRecord#USAGE_DANE_TA DANE-TA} match still needs a name check against the
 * reference identifiers (RFC 7672 §3.2.2): {@link #requiresNameCheck()} says so, and the caller
 * (see {@code dev.mailtls.tls.VerificationRequirement}) performs it.
 */
public final class DaneMatch {
    private final TlsaRecord record;
    private final int depth;
    private final X509Certificate certificate;

    DaneMatch(TlsaRecord record, int depth, X509Certificate certificate) {
        this.record = record;
        this.depth = depth;
        this.certificate = certificate;
    }

    /** The record that matched. */
    public TlsaRecord record() {
        return record;
    }

    /** The position of the matched certificate in the chain the server sent (0 = the server's own). */
    public int depth() {
        return depth;
    }

    /** The certificate the record matched: the server's own for DANE-EE, the trust anchor for DANE-TA. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** Whether the record is a DANE-EE(3) record; otherwise it is DANE-TA(2). */
    public boolean isEndEntity() {
        return record.usage() == TlsaRecord.USAGE_DANE_EE;
    }

    /** Whether the server's certificate must still match a reference identifier: true for DANE-TA. */
    public boolean requiresNameCheck() {
        return !isEndEntity();
    }

    /**
     * What matched in words, e.g. {@code end-entity key} or {@code trust-anchor certificate}, as
     * Postfix-style log lines print it.
     */
    public String matchedWhat() {
        return (isEndEntity() ? "end-entity " : "trust-anchor ")
                + (record.selector() == TlsaRecord.SELECTOR_SPKI ? "key" : "certificate");
    }

    /** For example {@code TLSA 3 1 1 9F2C... matched end-entity key at depth 0}. */
    @Override
    public String toString() {
        return "TLSA " + record + " matched " + matchedWhat() + " at depth " + depth;
    }
}
