package dev.mailtls.dane;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;

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

    /**
     * Parses the presentation form {@code "3 1 1 9F2C..."}: three decimal numbers and the data in
     * hex. The hex may be split by white space, as {@code dig} prints it. The record may be
     * unusable (see {@link #unusableReason()}); only text that is not a TLSA record at all is
     * rejected.
     *
     * @throws IllegalArgumentException quoting {@code text} and saying what is wrong with it
     */
    public static TlsaRecord parse(String text) {
        String[] fields = text.trim().split("\\s+", 4);
        if (fields.length < 4) {
            throw new IllegalArgumentException("TLSA record \"" + text
                    + "\" must be \"USAGE SELECTOR MATCHING-TYPE HEX\", e.g. \"3 1 1 9F2C...\"");
        }
        int[] numbers = new int[3];
        String[] names = {"usage", "selector", "matching type"};
        for (int i = 0; i < 3; i++) {
            try {
                numbers[i] = Integer.parseInt(fields[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("TLSA record \"" + text + "\": " + names[i]
                        + " \"" + fields[i] + "\" is not a number from 0 to 255");
            }
            if (numbers[i] < 0 || numbers[i] > 255) {
                throw new IllegalArgumentException("TLSA record \"" + text + "\": " + names[i]
                        + " must be 0 to 255, not " + numbers[i]);
            }
        }
        return new TlsaRecord(numbers[0], numbers[1], numbers[2], parseHex(fields[3].replaceAll("\\s", ""), text));
    }

    /**
     * The record an operator publishes for {@code certificate}: its DER encoding or its public key
     * ({@code selector}), as is or hashed ({@code matchingType}).
     *
     * @throws IllegalArgumentException for a selector or matching type other than 0, 1, 2
     */
    public static TlsaRecord forCertificate(int usage, int selector, int matchingType, X509Certificate certificate) {
        checkOctet(usage, "usage");
        return new TlsaRecord(usage, selector, matchingType,
                associationData(certificate, selector, matchingType));
    }

    /**
     * The association data of {@code certificate} for a selector and matching type: what a record
     * with these numbers must contain to match it.
     */
    static byte[] associationData(X509Certificate certificate, int selector, int matchingType) {
        byte[] selected;
        if (selector == SELECTOR_CERT) {
            try {
                selected = certificate.getEncoded();
            } catch (CertificateEncodingException e) {
                // A certificate the TLS stack parsed always has an encoding; treat the odd one as unmatchable.
                return new byte[0];
            }
        } else if (selector == SELECTOR_SPKI) {
            selected = certificate.getPublicKey().getEncoded();
        } else {
            throw new IllegalArgumentException("unknown TLSA selector " + selector + "; known: 0 (Cert), 1 (SPKI)");
        }
        switch (matchingType) {
            case MATCHING_FULL:
                return selected;
            case MATCHING_SHA256:
                return digest("SHA-256", selected);
            case MATCHING_SHA512:
                return digest("SHA-512", selected);
            default:
                throw new IllegalArgumentException("unknown TLSA matching type " + matchingType
                        + "; known: 0 (Full), 1 (SHA2-256), 2 (SHA2-512)");
        }
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

    /** The association data in upper-case hex, as in the presentation form. */
    public String dataHex() {
        return hex(data);
    }

    /** Presentation form, e.g. {@code 3 1 1 9F2C...E1} (data in upper-case hex). */
    @Override
    public String toString() {
        return usage + " " + selector + " " + matchingType + " " + hex(data);
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

    /** Upper-case hex, the form TLSA data is published and compared in. */
    static String hex(byte[] bytes) {
        char[] text = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            text[2 * i] = HEX_DIGITS[(bytes[i] >> 4) & 0xf];
            text[2 * i + 1] = HEX_DIGITS[bytes[i] & 0xf];
        }
        return new String(text);
    }

    private static final char[] HEX_DIGITS = "0123456789ABCDEF".toCharArray();

    private static byte[] parseHex(String hex, String text) {
        if (hex.length() % 2 != 0) {
            throw new IllegalArgumentException("TLSA record \"" + text + "\": the data has an odd number of hex digits ("
                    + hex.length() + ")");
        }
        byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            int high = Character.digit(hex.charAt(2 * i), 16);
            int low = Character.digit(hex.charAt(2 * i + 1), 16);
            if (high < 0 || low < 0) {
                throw new IllegalArgumentException("TLSA record \"" + text + "\": the data \"" + hex
                        + "\" is not hex");
            }
            bytes[i] = (byte) (high << 4 | low);
        }
        return bytes;
    }

    private static byte[] digest(String algorithm, byte[] content) {
        try {
            return MessageDigest.getInstance(algorithm).digest(content);
        } catch (NoSuchAlgorithmException e) {
            // The JDK's SUN provider has both digests on every platform since Java 5.
            throw new IllegalStateException(algorithm + " missing from this JVM", e);
        }
    }

    private static void checkOctet(int value, String name) {
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException(name + " must be 0 to 255, not " + value);
        }
    }
}
