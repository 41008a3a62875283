package dev.mailtls.dane;

import java.util.Arrays;
import java.util.Locale;

/**
 * One TLSA record (RFC 6698): certificate usage, selector, matching type and the association data,
 * as published at {@code _25._tcp.mx.example.com}. Immutable. Any combination of numbers can be
 * represented, because DNS may serve anything; {@link #isUsableForSmtp()} says whether an SMTP
 * client may use the record (RFC 7672 §3.1.3, RFC 6698 §4.1).
 */
public final class TlsaRecord {
    /** Certificate usage DANE-TA(2): the record matches a trust anchor in the server's chain. */
    public static final int USAGE_DANE_TA = 2;
    /** Certificate usage DANE-EE(3): the record matches the server's own certificate or key. */
    public static final int USAGE_DANE_EE = 3;
    /** Selector Cert(0): the whole DER certificate. */
    public static final int SELECTOR_CERT = 0;
    /** Selector SPKI(1): the DER SubjectPublicKeyInfo. */
    public static final int SELECTOR_SPKI = 1;
    /** Matching type Full(0): the data is the selected content itself. */
    public static final int MATCHING_FULL = 0;
    /** Matching type SHA2-256(1). */
    public static final int MATCHING_SHA256 = 1;
    /** Matching type SHA2-512(2). */
    public static final int MATCHING_SHA512 = 2;

    private final int usage;
    private final int selector;
    private final int matchingType;
    private final byte[] data;

    private TlsaRecord(int usage, int selector, int matchingType, byte[] data) {
        this.usage = usage;
        this.selector = selector;
        this.matchingType = matchingType;
        this.data = data.clone();
    }

    /** A record with these fields; the numbers are the 8-bit values from DNS (0 to 255). */
    public static TlsaRecord of(int usage, int selector, int matchingType, byte[] data) {
        checkOctet(usage, "usage");
        checkOctet(selector, "selector");
        checkOctet(matchingType, "matching type");
        return new TlsaRecord(usage, selector, matchingType, data);
    }

    public int usage() {
        return usage;
    }

    public int selector() {
        return selector;
    }

    public int matchingType() {
        return matchingType;
    }

    /** The certificate association data (a copy). */
    public byte[] data() {
        return data.clone();
    }

    /**
     * Whether an SMTP client can use this record: usage DANE-TA(2) or DANE-EE(3) (PKIX-TA(0) and
     * PKIX-EE(1) are unusable for SMTP, RFC 7672 §3.1.3), a known selector, a known matching type,
     * and data of the length that matching type produces. Unusable records are ignored; a set of
     * only unusable records still makes TLS mandatory (RFC 7672 §2.2).
     */
    public boolean isUsableForSmtp() {
        return unusableReason() == null;
    }

    /** Why this record is unusable for SMTP, or {@code null} when it is usable. */
    public String unusableReason() {
        if (usage == 0 || usage == 1) {
            return "usage " + usage + (usage == 0 ? " (PKIX-TA)" : " (PKIX-EE)") + " is not usable for SMTP (RFC 7672 3.1.3)";
        }
        if (usage != USAGE_DANE_TA && usage != USAGE_DANE_EE) {
            return "unknown certificate usage " + usage;
        }
        if (selector != SELECTOR_CERT && selector != SELECTOR_SPKI) {
            return "unknown selector " + selector;
        }
        switch (matchingType) {
            case MATCHING_FULL:
                return data.length == 0 ? "empty association data" : null;
            case MATCHING_SHA256:
                return data.length == 32 ? null : "SHA2-256 data must be 32 bytes, not " + data.length;
            case MATCHING_SHA512:
                return data.length == 64 ? null : "SHA2-512 data must be 64 bytes, not " + data.length;
            default:
                return "unknown matching type " + matchingType;
        }
    }

    /** Presentation form, e.g. {@code 3 1 1 9F2C...E1} (data in upper-case hex). */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder().append(usage).append(' ').append(selector).append(' ')
                .append(matchingType).append(' ');
        for (byte b : data) {
            text.append(String.format(Locale.ROOT, "%02X", b & 0xff));
        }
        return text.toString();
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof TlsaRecord)) {
            return false;
        }
        TlsaRecord that = (TlsaRecord) other;
        return usage == that.usage && selector == that.selector && matchingType == that.matchingType
                && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return ((usage * 31 + selector) * 31 + matchingType) * 31 + Arrays.hashCode(data);
    }

    private static void checkOctet(int value, String name) {
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException(name + " must be 0 to 255, not " + value);
        }
    }
}
