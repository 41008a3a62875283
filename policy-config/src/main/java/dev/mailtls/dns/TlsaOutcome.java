package dev.mailtls.dns;

import dev.mailtls.dane.TlsaRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the TLSA records of one SMTP server demand (RFC 7672 §2.2, RFC 6698 §4.1), for the policy
 * layer to switch on by {@link #kind()}. Immutable.
 */
public final class TlsaOutcome {
    /** The four meanings of a TLSA lookup for an SMTP client. */
    public enum Kind {
        /**
         * Secure TLSA records, at least one usable: the connection MUST use TLS and the server
         * MUST authenticate with them; otherwise try the next MX host or defer.
         */
        AUTHENTICATION_REQUIRED,
        /** Secure TLSA records, none usable: TLS is required, authentication is not (RFC 7672 §2.2). */
        ENCRYPTION_REQUIRED,
        /**
         * No DANE: the TLSA RRset is insecure or securely denied, or the host's addresses are
         * insecure so TLSA was not asked for. The policy level's fallback applies.
         */
        NOT_APPLICABLE,
        /**
         * The TLSA lookup was bogus or failed (timeout, SERVFAIL, malformed): this MX host MUST NOT
         * be used; try the next one, else defer (RFC 7672 §2.1.2, §2.2.1).
         */
        LOOKUP_FAILED
    }

    private final Kind kind;
    private final String reason;
    private final String tlsaName;
    private final String baseDomain;
    private final List<TlsaRecord> records;
    private final List<String> referenceNames;
    private final boolean insecureMx;

    private TlsaOutcome(Kind kind, String reason, String tlsaName, String baseDomain, List<TlsaRecord> records,
            List<String> referenceNames, boolean insecureMx) {
        this.kind = kind;
        this.reason = reason;
        this.tlsaName = tlsaName;
        this.baseDomain = baseDomain;
        this.records = Collections.unmodifiableList(new ArrayList<TlsaRecord>(records));
        this.referenceNames = Collections.unmodifiableList(new ArrayList<String>(referenceNames));
        this.insecureMx = insecureMx;
    }

    static TlsaOutcome secure(String reason, String tlsaName, String baseDomain, List<TlsaRecord> records,
            List<String> referenceNames, boolean insecureMx) {
        boolean anyUsable = false;
        for (TlsaRecord record : records) {
            anyUsable |= record.isUsableForSmtp();
        }
        return new TlsaOutcome(anyUsable ? Kind.AUTHENTICATION_REQUIRED : Kind.ENCRYPTION_REQUIRED, reason, tlsaName,
                baseDomain, records, referenceNames, insecureMx);
    }

    static TlsaOutcome notApplicable(String reason) {
        return new TlsaOutcome(Kind.NOT_APPLICABLE, reason, null, null, Collections.<TlsaRecord>emptyList(),
                Collections.<String>emptyList(), false);
    }

    static TlsaOutcome lookupFailed(String reason, String tlsaName, String baseDomain) {
        return new TlsaOutcome(Kind.LOOKUP_FAILED, reason, tlsaName, baseDomain, Collections.<TlsaRecord>emptyList(),
                Collections.<String>emptyList(), false);
    }

    public Kind kind() {
        return kind;
    }

    /** What was found and what it means, for the log line. */
    public String reason() {
        return reason;
    }

    /**
     * The name the TLSA records were asked for, e.g. {@code _25._tcp.mx.example.com}; {@code null}
     * for {@link Kind#NOT_APPLICABLE}.
     */
    public String tlsaName() {
        return tlsaName;
    }

    /**
     * The TLSA base domain (RFC 7672 §2.2.3): the SNI name to send and a reference name for DANE-TA;
     * {@code null} for {@link Kind#NOT_APPLICABLE}.
     */
    public String baseDomain() {
        return baseDomain;
    }

    /** All TLSA records of the secure RRset, usable or not. */
    public List<TlsaRecord> records() {
        return records;
    }

    /** The records an SMTP client can use ({@link TlsaRecord#isUsableForSmtp()}). */
    public List<TlsaRecord> usableRecords() {
        List<TlsaRecord> usable = new ArrayList<TlsaRecord>();
        for (TlsaRecord record : records) {
            if (record.isUsableForSmtp()) {
                usable.add(record);
            }
        }
        return usable;
    }

    /**
     * The names a DANE-TA(2) certificate may match (RFC 7672 §3.2.2): the TLSA base domain, then for
     * a secure MX the destination domain and its CNAME expansion, for an insecure MX the MX host
     * name, and for a destination without MX lookup its expanded and original name. No duplicates.
     */
    public List<String> referenceNames() {
        return referenceNames;
    }

    /**
     * Whether the MX RRset that led to this host was DNSSEC-insecure. DANE then "need not apply"
     * (RFC 7672 §2.2.1); like Postfix's default ({@code smtp_tls_dane_insecure_mx_policy = dane}),
     * the host's secure TLSA records are still used, but the connection must never be reported as
     * "Verified", only as "Trusted", because an attacker could have chosen the MX host.
     */
    public boolean insecureMx() {
        return insecureMx;
    }

    @Override
    public String toString() {
        return kind + (tlsaName == null ? "" : " " + tlsaName + " " + records) + " (" + reason + ")";
    }
}
