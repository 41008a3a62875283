package dev.mailtls.policy;

import java.util.Locale;

/**
 * The TLS security level of a destination, with the names and meaning of Postfix's
 * {@code smtp_tls_security_level}. Constants are declared weakest first.
 *
 * <ul>
 *   <li>{@link #NONE}: no TLS, even when the server offers STARTTLS.</li>
 *   <li>{@link #MAY}: opportunistic TLS; plaintext when the server offers none or the handshake fails.</li>
 *   <li>{@link #ENCRYPT}: TLS required, any certificate accepted.</li>
 *   <li>{@link #DANE}: DANE where DNSSEC-secure TLSA records exist; otherwise the level's {@code fallback}.</li>
 *   <li>{@link #DANE_ONLY}: usable DNSSEC-secure TLSA records required and must match.</li>
 *   <li>{@link #VERIFY}: TLS with a PKIX-valid certificate whose name matches the server host name.</li>
 *   <li>{@link #SECURE}: TLS with a PKIX-valid certificate whose name matches the next-hop domain.</li>
 * </ul>
 */
public enum TlsLevel {
    NONE("none"),
    MAY("may"),
    ENCRYPT("encrypt"),
    DANE("dane"),
    DANE_ONLY("dane-only"),
    VERIFY("verify"),
    SECURE("secure");

    private final String configName;

    TlsLevel(String configName) {
        this.configName = configName;
    }

    /** The name used in configuration files and log lines, e.g. {@code dane-only}. */
    public String configName() {
        return configName;
    }

    /**
     * Whether TLS is mandatory at this level whatever DNS says. {@link #DANE} is not: without
     * usable TLSA records it becomes its fallback, which may be {@link #MAY}.
     */
    public boolean alwaysRequiresTls() {
        return this == ENCRYPT || this == DANE_ONLY || this == VERIFY || this == SECURE;
    }

    /** Whether this level looks up TLSA records. */
    public boolean usesDane() {
        return this == DANE || this == DANE_ONLY;
    }

    /**
     * The level with this configuration name (case-insensitive), or {@code null} when there is none.
     */
    public static TlsLevel forConfigName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (TlsLevel level : values()) {
            if (level.configName.equals(wanted)) {
                return level;
            }
        }
        return null;
    }

    /** All configuration names, weakest first, for error messages: "none, may, ...". */
    public static String allConfigNames() {
        StringBuilder names = new StringBuilder();
        for (TlsLevel level : values()) {
            if (names.length() > 0) {
                names.append(", ");
            }
            names.append(level.configName);
        }
        return names.toString();
    }

    @Override
    public String toString() {
        return configName;
    }
}
