package dev.mailtls.dane;

import java.security.InvalidAlgorithmParameterException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The TLSA RRset of one SMTP server ({@code _25._tcp.mx.example.com}), ready to authenticate the
 * certificate chain the server presents. Immutable and thread-safe; build one with {@link #builder()}.
 *
 * <p>Building applies the RFC 7672 rules once: unusable records (PKIX-TA/PKIX-EE, unknown
 * numbers, wrong digest length, RFC 7672 §3.1.3) are set aside, and digest agility (RFC 7671 §9)
 * keeps, for each usage and selector, only the records of the strongest digest present plus any
 * Full(0) records. {@link #ignoredRecords()} says why each dropped record was dropped.
 *
 * <p>{@link #authenticate} then implements DANE-EE(3) (the server's certificate or key matches; no
 * name and no expiry check) and DANE-TA(2) (a certificate the server sent matches and the chain
 * from the server's certificate up to it is valid; the local trust store plays no part). The name
 * check that DANE-TA also requires belongs to the caller, who knows the reference identifiers.
 */
public final class TlsaSet {
    /** The default digest order, strongest first, as Postfix's {@code tls_dane_digests = sha512 sha256}. */
    private static final int[] DEFAULT_DIGESTS = {TlsaRecord.MATCHING_SHA512, TlsaRecord.MATCHING_SHA256};

    private final String baseDomain;
    private final int port;
    private final List<TlsaRecord> records;
    private final List<TlsaRecord> usableRecords;
    private final Map<TlsaRecord, String> ignoredRecords;

    private TlsaSet(Builder builder, List<TlsaRecord> usableRecords, Map<TlsaRecord, String> ignoredRecords) {
        this.baseDomain = builder.baseDomain;
        this.port = builder.port;
        this.records = Collections.unmodifiableList(new ArrayList<TlsaRecord>(builder.records));
        this.usableRecords = Collections.unmodifiableList(usableRecords);
        this.ignoredRecords = Collections.unmodifiableMap(ignoredRecords);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The TLSA base domain (RFC 7672 §2.2.3), e.g. {@code mx.example.com}: the SNI name and the
     * first reference identifier. {@code null} when the set was built without one.
     */
    public String baseDomain() {
        return baseDomain;
    }

    /** The port of {@link #ownerName()}, or 0 when the set was built without a base domain. */
    public int port() {
        return port;
    }

    /** The owner name of the RRset, e.g. {@code _25._tcp.mx.example.com}, or {@code null} without a base domain. */
    public String ownerName() {
        return baseDomain == null ? null : "_" + port + "._tcp." + baseDomain;
    }

    /** Every record as given to the builder, usable or not. */
    public List<TlsaRecord> records() {
        return records;
    }

    /** The records {@link #authenticate} tries: usable, and kept by digest agility. */
    public List<TlsaRecord> usableRecords() {
        return usableRecords;
    }

    /** Each record that {@link #authenticate} ignores, with the reason, in input order. */
    public Map<TlsaRecord, String> ignoredRecords() {
        return ignoredRecords;
    }

    /**
     * Whether any record is usable. A DNSSEC-secure set with none still forbids cleartext: the
     * connection must use TLS, but cannot be authenticated (RFC 7672 §2.2).
     */
    public boolean hasUsableRecords() {
        return !usableRecords.isEmpty();
    }

    /**
     * Authenticates a server chain (the server's certificate first, then whatever else it sent).
     * Tries DANE-EE records against the server's certificate first, then DANE-TA records against
     * every certificate of the chain, lowest depth first.
     *
     * @param chain the certificates as the server sent them
     * @param now the time at which a DANE-TA chain must be valid (DANE-EE ignores it)
     * @return the first record that authenticates the chain; for DANE-TA the caller must still check names
     * @throws CertificateException saying which records were tried against which digests of the chain,
     *         or why a matching trust anchor did not validate the chain
     */
    public DaneMatch authenticate(List<X509Certificate> chain, Date now) throws CertificateException {
        if (chain.isEmpty()) {
            throw new CertificateException("the server sent no certificate");
        }
        if (usableRecords.isEmpty()) {
            throw new CertificateException(describeOwner() + " has no usable TLSA record; ignored: " + ignoredRecords);
        }
        SelectedData data = new SelectedData(chain);
        for (TlsaRecord record : usableRecords) {
            if (record.usage() == TlsaRecord.USAGE_DANE_EE && data.matches(record, 0)) {
                return new DaneMatch(record, 0, chain.get(0));
            }
        }
        List<String> chainProblems = new ArrayList<String>();
        for (int depth = 0; depth < chain.size(); depth++) {
            for (TlsaRecord record : usableRecords) {
                if (record.usage() == TlsaRecord.USAGE_DANE_TA && data.matches(record, depth)) {
                    String problem = chainProblem(chain, depth, record, now);
                    if (problem == null) {
                        return new DaneMatch(record, depth, chain.get(depth));
                    }
                    chainProblems.add("TLSA " + record + " matched the trust anchor at depth " + depth
                            + " (" + subject(chain.get(depth)) + "), but " + problem);
                }
            }
        }
        if (!chainProblems.isEmpty()) {
            throw new CertificateException(join(chainProblems)
                    + ". The server must send a current chain up to the trust anchor published in " + describeOwner() + ".");
        }
        throw new CertificateException("no TLSA record of " + describeOwner() + " matched; "
                + data.describeObserved(usableRecords) + "; expected: " + join(usableRecords) + describeIgnored()
                + ". Publish a TLSA record for the server's current key or certificate, or install the key the records name.");
    }

    /** Why the chain from the server's certificate up to {@code chain[taDepth]} is invalid, or {@code null}. */
    private static String chainProblem(List<X509Certificate> chain, int taDepth, TlsaRecord record, Date now) {
        X509Certificate anchor = chain.get(taDepth);
        try {
            // A trust anchor's own validity is not checked by the PKIX algorithm, but DANE-TA requires it.
            anchor.checkValidity(now);
        } catch (CertificateExpiredException e) {
            return "it expired on " + anchor.getNotAfter().toInstant();
        } catch (CertificateNotYetValidException e) {
            return "it is not valid before " + anchor.getNotBefore().toInstant();
        }
        List<X509Certificate> path = new ArrayList<X509Certificate>();
        X509Certificate current = chain.get(0);
        while (current != anchor) {
            path.add(current);
            if (current.getIssuerX500Principal().equals(anchor.getSubjectX500Principal())) {
                break;
            }
            X509Certificate issuer = findIssuer(chain, current, path, anchor);
            if (issuer == null) {
                return "the server sent no issuer of " + subject(current) + " (" + current.getIssuerX500Principal().getName()
                        + ") between it and the trust anchor";
            }
            current = issuer;
        }
        if (path.isEmpty()) {
            return null;
        }
        try {
            PKIXParameters parameters = new PKIXParameters(Collections.singleton(trustAnchor(anchor, record)));
            parameters.setRevocationEnabled(false);
            parameters.setDate(now);
            CertPathValidator.getInstance("PKIX").validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
            return null;
        } catch (CertPathValidatorException e) {
            X509Certificate failed = e.getIndex() >= 0 && e.getIndex() < path.size() ? path.get(e.getIndex()) : null;
            if (e.getReason() == PKIXReason.NO_TRUST_ANCHOR) {
                X509Certificate top = path.get(path.size() - 1);
                return "its key did not sign the certificate at depth " + chain.indexOf(top) + " (" + subject(top)
                        + "), although the names match: the chain belongs to a different CA";
            }
            return describe(e, failed, chain);
        } catch (InvalidAlgorithmParameterException | NoSuchAlgorithmException e) {
            return "this JVM cannot validate certificate paths (" + e + ")";
        } catch (CertificateException e) {
            return "the chain cannot be encoded as a certificate path (" + e.getMessage() + ")";
        }
    }

    private static X509Certificate findIssuer(List<X509Certificate> chain, X509Certificate subject,
            List<X509Certificate> path, X509Certificate anchor) {
        for (X509Certificate candidate : chain) {
            if (candidate != anchor && !path.contains(candidate)
                    && candidate.getSubjectX500Principal().equals(subject.getIssuerX500Principal())) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * With a Cert(0) record the whole anchor certificate is trusted, so its name constraints apply
     * (RFC 7672 §3.1.2); with SPKI(1) only the key is, as in RFC 7671 §5.2.2.
     */
    private static TrustAnchor trustAnchor(X509Certificate anchor, TlsaRecord record) {
        byte[] nameConstraints = record.selector() == TlsaRecord.SELECTOR_CERT
                ? extensionValue(anchor.getExtensionValue("2.5.29.30")) : null;
        return new TrustAnchor(anchor, nameConstraints);
    }

    /** The DER content of an extension value, which X509Certificate returns wrapped in an OCTET STRING. */
    private static byte[] extensionValue(byte[] octetString) {
        if (octetString == null || octetString.length < 2 || octetString[0] != 0x04) {
            return null;
        }
        int lengthOctets = (octetString[1] & 0x80) == 0 ? 0 : octetString[1] & 0x7f;
        int start = 2 + lengthOctets;
        return start > octetString.length ? null : Arrays.copyOfRange(octetString, start, octetString.length);
    }

    private static String describe(CertPathValidatorException e, X509Certificate failed, List<X509Certificate> chain) {
        String where = failed == null ? "the chain" : "the certificate at depth " + chain.indexOf(failed) + " (" + subject(failed) + ")";
        if (e.getReason() == CertPathValidatorException.BasicReason.EXPIRED && failed != null) {
            return where + " expired on " + failed.getNotAfter().toInstant();
        }
        if (e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID && failed != null) {
            return where + " is not valid before " + failed.getNotBefore().toInstant();
        }
        if (e.getReason() == CertPathValidatorException.BasicReason.INVALID_SIGNATURE) {
            return "the signature of " + where + " does not verify with its issuer's key";
        }
        return where + " is not valid: " + e.getMessage();
    }

    static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }

    /** The ignored records with their reasons, because an ignored record may be the one the operator meant to match. */
    private String describeIgnored() {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<TlsaRecord, String> ignored : ignoredRecords.entrySet()) {
            text.append(text.length() == 0 ? "; ignored: " : ", ").append(ignored.getKey()).append(" (").append(ignored.getValue())
                    .append(')');
        }
        return text.toString();
    }

    private String describeOwner() {
        return baseDomain == null ? "the TLSA RRset" : ownerName();
    }

    private static String join(Collection<?> items) {
        StringBuilder text = new StringBuilder();
        for (Object item : items) {
            if (text.length() > 0) {
                text.append(", ");
            }
            text.append(item);
        }
        return text.toString();
    }

    /** The owner name and the records in presentation form, e.g. {@code _25._tcp.mx.example.com: 3 1 1 9F2C..., 2 0 1 77D0...}. */
    @Override
    public String toString() {
        return describeOwner() + ": " + join(records);
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof TlsaSet)) {
            return false;
        }
        TlsaSet that = (TlsaSet) other;
        return port == that.port && (baseDomain == null ? that.baseDomain == null : baseDomain.equals(that.baseDomain))
                && records.equals(that.records) && usableRecords.equals(that.usableRecords);
    }

    @Override
    public int hashCode() {
        return ((baseDomain == null ? 0 : baseDomain.hashCode()) * 31 + port) * 31 + records.hashCode();
    }

    /**
     * The selected content and digests of each certificate of one chain, computed at most once per
     * verification: several records usually share a selector and matching type.
     */
    private static final class SelectedData {
        private final List<X509Certificate> chain;
        private final byte[][][][] cache;

        SelectedData(List<X509Certificate> chain) {
            this.chain = chain;
            this.cache = new byte[chain.size()][2][3][];
        }

        boolean matches(TlsaRecord record, int depth) {
            return MessageDigest.isEqual(get(depth, record.selector(), record.matchingType()), record.data());
        }

        private byte[] get(int depth, int selector, int matchingType) {
            byte[] value = cache[depth][selector][matchingType];
            if (value == null) {
                value = TlsaRecord.associationData(chain.get(depth), selector, matchingType);
                cache[depth][selector][matchingType] = value;
            }
            return value;
        }

        /** For example {@code depth 0 SPKI sha256 = 9F2C...; depth 1 Cert sha256 = 77D0...}: what the records were compared with. */
        String describeObserved(List<TlsaRecord> records) {
            List<String> lines = new ArrayList<String>();
            for (int depth = 0; depth < chain.size(); depth++) {
                for (TlsaRecord record : records) {
                    if (record.usage() == TlsaRecord.USAGE_DANE_EE && depth > 0) {
                        continue;
                    }
                    byte[] value = get(depth, record.selector(), record.matchingType());
                    String line = "depth " + depth + " " + (record.selector() == TlsaRecord.SELECTOR_CERT ? "Cert" : "SPKI") + " "
                            + MATCHING_NAMES[record.matchingType()] + " = "
                            + (record.matchingType() == TlsaRecord.MATCHING_FULL ? "(" + value.length + " bytes)" : TlsaRecord.hex(value));
                    if (!lines.contains(line)) {
                        lines.add(line);
                    }
                }
            }
            StringBuilder text = new StringBuilder();
            for (String line : lines) {
                text.append(text.length() == 0 ? "" : "; ").append(line);
            }
            return text.toString();
        }
    }

    private static final String[] MATCHING_NAMES = {"full", "sha256", "sha512"};

    /**
     * Collects the records of one RRset. {@link #build()} never fails for record content: DNS may
     * serve anything, and a record this client cannot use is set aside, not an error.
     */
    public static final class Builder {
        private String baseDomain;
        private int port;
        private final List<TlsaRecord> records = new ArrayList<TlsaRecord>();
        private int[] digests = DEFAULT_DIGESTS.clone();

        private Builder() {
        }

        /**
         * The TLSA base domain and port the records were found at ({@code mx.example.com}, 25 for
         * {@code _25._tcp.mx.example.com}); used in failure messages and as the first reference
         * identifier of DANE-TA name checks. A trailing dot is dropped and the name lower-cased.
         */
        public Builder baseDomain(String name, int port) {
            if (name == null || name.trim().isEmpty()) {
                throw new IllegalArgumentException("TLSA base domain must be a host name, not \"" + name + "\"");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1 to 65535, not " + port);
            }
            String trimmed = name.trim().toLowerCase(Locale.ROOT);
            this.baseDomain = trimmed.endsWith(".") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
            this.port = port;
            return this;
        }

        public Builder add(TlsaRecord record) {
            if (record == null) {
                throw new NullPointerException("record");
            }
            records.add(record);
            return this;
        }

        public Builder addAll(Collection<TlsaRecord> more) {
            for (TlsaRecord record : more) {
                add(record);
            }
            return this;
        }

        /**
         * The digests this client accepts, strongest first (default SHA2-512 then SHA2-256, as
         * Postfix's {@code tls_dane_digests}). Records of a digest not listed are unusable; Full(0)
         * records are always usable. Lowering this list protects against nothing; it exists to drop
         * a digest that becomes weak without waiting for a release.
         */
        public Builder digestPreference(int... matchingTypes) {
            for (int type : matchingTypes) {
                if (type != TlsaRecord.MATCHING_SHA256 && type != TlsaRecord.MATCHING_SHA512) {
                    throw new IllegalArgumentException("digest preference lists matching types 1 (SHA2-256) and 2 (SHA2-512), not "
                            + type);
                }
            }
            this.digests = matchingTypes.clone();
            return this;
        }

        public TlsaSet build() {
            Map<TlsaRecord, String> ignored = new LinkedHashMap<TlsaRecord, String>();
            List<TlsaRecord> candidates = new ArrayList<TlsaRecord>();
            for (TlsaRecord record : records) {
                String reason = record.unusableReason();
                if (reason == null && record.matchingType() != TlsaRecord.MATCHING_FULL && rank(record.matchingType()) < 0) {
                    reason = "matching type " + record.matchingType() + " is not in the local digest preference";
                }
                if (reason != null) {
                    ignored.put(record, reason);
                } else {
                    candidates.add(record);
                }
            }
            List<TlsaRecord> usable = new ArrayList<TlsaRecord>();
            for (TlsaRecord record : candidates) {
                int strongest = strongestDigest(candidates, record.usage(), record.selector());
                if (record.matchingType() == TlsaRecord.MATCHING_FULL || record.matchingType() == strongest) {
                    usable.add(record);
                } else {
                    ignored.put(record, "a stronger digest (matching type " + strongest
                            + ") is published for usage " + record.usage() + " selector " + record.selector()
                            + " (digest agility, RFC 7671 section 9)");
                }
            }
            return new TlsaSet(this, usable, ignored);
        }

        /** The preferred digest among the records of one usage and selector, or -1 for Full(0) only. */
        private int strongestDigest(List<TlsaRecord> candidates, int usage, int selector) {
            int best = -1;
            for (TlsaRecord record : candidates) {
                if (record.usage() == usage && record.selector() == selector && record.matchingType() != TlsaRecord.MATCHING_FULL
                        && (best < 0 || rank(record.matchingType()) < rank(best))) {
                    best = record.matchingType();
                }
            }
            return best;
        }

        private int rank(int matchingType) {
            for (int i = 0; i < digests.length; i++) {
                if (digests[i] == matchingType) {
                    return i;
                }
            }
            return -1;
        }
    }
}
