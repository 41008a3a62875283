package dev.mailtls.tls;

import dev.mailtls.dane.DaneMatch;
import dev.mailtls.dane.TlsaSet;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;

/**
 * What a server's certificate must satisfy on one connection: DANE (a {@link TlsaSet} plus the
 * reference identifiers for DANE-TA name checks), PKIX (a {@link TrustStore} plus the names the
 * certificate must carry), or nothing ({@code encrypt} and {@code may}: any certificate is
 * accepted and only recorded). Immutable and thread-safe; {@link #evaluate} never throws for a bad
 * certificate, it returns a {@link VerificationOutcome} that says what failed.
 *
 * <p>A {@link #reportOnly()} copy evaluates the same way but lets a failing connection proceed:
 * the {@code audit} action. It protects nothing; use it only to try a policy before enforcing it.
 */
public final class VerificationRequirement {
    /** The three kinds of requirement. */
    public enum Kind {
        /** A DNSSEC-secure TLSA RRset with at least one usable record must match (levels {@code dane}, {@code dane-only}). */
        DANE,
        /** A PKIX chain to the trust store and a name match (levels {@code verify}, {@code secure}). */
        PKIX,
        /** Any certificate; recorded and classified, never rejected (levels {@code may}, {@code encrypt}). */
        ANY_CERTIFICATE
    }

    private final Kind kind;
    private final TlsaSet tlsa;
    private final TrustStore trustStore;
    private final ReferenceIdentifiers names;
    private final boolean enforced;

    private VerificationRequirement(Kind kind, TlsaSet tlsa, TrustStore trustStore, ReferenceIdentifiers names, boolean enforced) {
        this.kind = kind;
        this.tlsa = tlsa;
        this.trustStore = trustStore;
        this.names = names;
        this.enforced = enforced;
    }

    /**
     * DANE authentication against {@code tlsa}. The TLSA base domain, when the set has one, is
     * always the first reference identifier; add the next-hop domain and its CNAME-expanded form
     * as RFC 7672 §3.2.2 prescribes for the destination. The names apply to DANE-TA matches only.
     *
     * @throws IllegalArgumentException when {@code tlsa} has no usable record: such a set means
     *         "TLS required, no authentication", which is {@link #anyCertificate}
     */
    public static VerificationRequirement dane(TlsaSet tlsa, ReferenceIdentifiers names) {
        if (!tlsa.hasUsableRecords()) {
            throw new IllegalArgumentException(tlsa + " has no usable TLSA record (" + tlsa.ignoredRecords()
                    + "); RFC 7672 section 2.2 makes such a server encrypt-only: use anyCertificate()");
        }
        ReferenceIdentifiers all = tlsa.baseDomain() == null ? names : names.withFirst(tlsa.baseDomain());
        return new VerificationRequirement(Kind.DANE, tlsa, null, all, true);
    }

    /**
     * PKIX authentication: a chain to a CA of {@code trustStore}, and a certificate name matching one of {@code names}.
     *
     * @throws IllegalArgumentException when {@code names} is empty: PKIX without a name check authenticates nobody
     */
    public static VerificationRequirement pkix(TrustStore trustStore, ReferenceIdentifiers names) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("PKIX verification needs at least one name to match (the MX host name at verify,"
                    + " the next-hop domain at secure)");
        }
        return new VerificationRequirement(Kind.PKIX, null, checkNotNull(trustStore, "trustStore"), names, true);
    }

    /**
     * Any certificate is accepted. With a trust store the chain is still checked, only to log
     * Trusted rather than Untrusted; pass {@code null} to skip that check.
     */
    public static VerificationRequirement anyCertificate(TrustStore trustStore) {
        return new VerificationRequirement(Kind.ANY_CERTIFICATE, null, trustStore, ReferenceIdentifiers.none(), false);
    }

    /** This requirement, evaluated and recorded as usual, but never failing a connection (the {@code audit} action). */
    public VerificationRequirement reportOnly() {
        return new VerificationRequirement(kind, tlsa, trustStore, names, false);
    }

    public Kind kind() {
        return kind;
    }

    /** The TLSA records for {@link Kind#DANE}, otherwise {@code null}. */
    public TlsaSet tlsa() {
        return tlsa;
    }

    /** The CAs for {@link Kind#PKIX} (and optionally {@link Kind#ANY_CERTIFICATE}), otherwise {@code null}. */
    public TrustStore trustStore() {
        return trustStore;
    }

    /** The names a certificate must match (DANE-TA and PKIX); empty for {@link Kind#ANY_CERTIFICATE}. */
    public ReferenceIdentifiers referenceIdentifiers() {
        return names;
    }

    /** Whether a failed evaluation must abort the handshake; false for {@link Kind#ANY_CERTIFICATE} and {@link #reportOnly()}. */
    public boolean isEnforced() {
        return enforced;
    }

    /** {@link #evaluate(List, Date)} at the current time. */
    public VerificationOutcome evaluate(List<X509Certificate> chain) {
        return evaluate(chain, new Date());
    }

    /**
     * Checks a server chain (the server's certificate first) against this requirement.
     *
     * @param now the time certificates must be valid at (DANE-EE ignores validity)
     */
    public VerificationOutcome evaluate(List<X509Certificate> chain, Date now) {
        List<X509Certificate> peer = Collections.unmodifiableList(new ArrayList<X509Certificate>(chain));
        if (peer.isEmpty()) {
            return new VerificationOutcome(this, peer, null, false, null,
                    kind == Kind.ANY_CERTIFICATE ? null : prefix() + "the server sent no certificate");
        }
        switch (kind) {
            case DANE:
                return evaluateDane(peer, now);
            case PKIX:
                return evaluatePkix(peer, now);
            default:
                return evaluateAny(peer, now);
        }
    }

    private VerificationOutcome evaluateDane(List<X509Certificate> chain, Date now) {
        DaneMatch match;
        try {
            match = tlsa.authenticate(chain, now);
        } catch (CertificateException e) {
            return new VerificationOutcome(this, chain, null, false, null, "DANE: " + e.getMessage());
        }
        if (!match.requiresNameCheck()) {
            return new VerificationOutcome(this, chain, match, true, null, null);
        }
        String name = names.matchedBy(chain.get(0));
        if (name == null) {
            return new VerificationOutcome(this, chain, match, true, null, "DANE: " + match + " ("
                    + match.certificate().getSubjectX500Principal().getName() + "), but " + nameMismatch(chain.get(0))
                    + ". A DANE-TA certificate must name the MX host or the destination domain; publish a DANE-EE (3 1 1) record"
                    + " if it cannot");
        }
        return new VerificationOutcome(this, chain, match, true, name, null);
    }

    private VerificationOutcome evaluatePkix(List<X509Certificate> chain, Date now) {
        try {
            trustStore.validate(chain, now);
        } catch (CertificateException e) {
            return new VerificationOutcome(this, chain, null, false, null, "PKIX: " + e.getMessage());
        }
        String name = names.matchedBy(chain.get(0));
        if (name == null) {
            return new VerificationOutcome(this, chain, null, true, null, "PKIX: the chain is trusted, but " + nameMismatch(chain.get(0))
                    + "; the server needs a certificate for one of the expected names");
        }
        return new VerificationOutcome(this, chain, null, true, name, null);
    }

    private VerificationOutcome evaluateAny(List<X509Certificate> chain, Date now) {
        boolean trusted = false;
        if (trustStore != null) {
            try {
                trustStore.validate(chain, now);
                trusted = true;
            } catch (CertificateException e) {
                // Recorded as Untrusted; at may/encrypt that is expected, not a failure.
            }
        }
        return new VerificationOutcome(this, chain, null, trusted, null, null);
    }

    private String nameMismatch(X509Certificate server) {
        return "the server certificate's names " + ReferenceIdentifiers.presentedNames(server)
                + " match none of the expected names [" + names + "]";
    }

    private String prefix() {
        return kind == Kind.DANE ? "DANE: " : "PKIX: ";
    }

    /**
     * For example {@code dane _25._tcp.mx.example.com: 3 1 1 9F2C...; names mx.example.com, example.com}
     * or {@code pkix TrustStore[...]; names mx.example.com}.
     */
    @Override
    public String toString() {
        String text;
        switch (kind) {
            case DANE:
                text = "dane " + tlsa + "; names " + names;
                break;
            case PKIX:
                text = "pkix " + trustStore + "; names " + names;
                break;
            default:
                text = "any certificate" + (trustStore == null ? "" : "; classified against " + trustStore);
        }
        return kind != Kind.ANY_CERTIFICATE && !enforced ? text + " (report only)" : text;
    }

    private static <T> T checkNotNull(T value, String name) {
        if (value == null) {
            throw new NullPointerException(name);
        }
        return value;
    }
}
