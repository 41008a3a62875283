package dev.mailtls.engine;

import dev.mailtls.dns.TlsaOutcome;
import dev.mailtls.policy.PolicyMatch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What one SMTP connection must achieve, decided from the destination's policy and, for the DANE
 * levels, from DNSSEC-validated TLSA records: the <em>effective</em> level in Postfix's terms
 * (the configured {@code dane} becomes {@code encrypt} when all TLSA records are unusable, its
 * fallback when there are none), the names a certificate must carry, the server name to send
 * (SNI), or a refusal before any connection is made. Immutable.
 */
public final class ConnectionRequirement {
    /** The effective level of one connection. */
    public enum Kind {
        /** No TLS at all. */
        NONE(false),
        /** TLS when offered, any certificate; plaintext otherwise. */
        MAY(false),
        /** TLS required, any certificate. */
        ENCRYPT(true),
        /** TLS required, the certificate must match the DNSSEC-secure TLSA records ({@link #tlsa()}). */
        DANE(true),
        /** TLS required, PKIX-valid certificate naming one of {@link #names()} (the host). */
        VERIFY(true),
        /** TLS required, PKIX-valid certificate naming one of {@link #names()} (the next hop, or below it). */
        SECURE(true),
        /** No connection: {@link #reason()} says why (a DNS failure, missing TLSA under dane-only). */
        REFUSED(true);

        private final boolean tlsRequired;

        Kind(boolean tlsRequired) {
            this.tlsRequired = tlsRequired;
        }

        /** Whether a connection of this kind must not send a plaintext byte after EHLO. */
        public boolean tlsRequired() {
            return tlsRequired;
        }

        /** Whether the server must authenticate: by DANE, or by PKIX and a name. */
        public boolean authenticates() {
            return this == DANE || this == VERIFY || this == SECURE;
        }
    }

    private final PolicyMatch match;
    private final String host;
    private final int port;
    private final Kind kind;
    private final List<String> names;
    private final String serverName;
    private final TlsaOutcome tlsa;
    private final String reason;

    ConnectionRequirement(PolicyMatch match, String host, int port, Kind kind, List<String> names, String serverName,
            TlsaOutcome tlsa, String reason) {
        this.match = match;
        this.host = host;
        this.port = port;
        this.kind = kind;
        this.names = Collections.unmodifiableList(new ArrayList<String>(names));
        // RFC 6066 3: SNI carries host names only; a server reached by address gets none.
        this.serverName = isAddressLiteral(serverName) ? null : serverName;
        this.tlsa = tlsa;
        this.reason = reason;
    }

    /** The rule that applies, with the configured level and action. */
    public PolicyMatch match() {
        return match;
    }

    /** The SMTP server's host name. */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * The reference identifiers a certificate must match: the host ({@code verify}), the next hop
     * and its subdomains as {@code .example.com} ({@code secure}), or for DANE-TA the TLSA base
     * domain and the names of RFC 7672 §3.2.2. Empty where no name is checked.
     */
    public List<String> names() {
        return names;
    }

    /** The SNI name: the TLSA base domain under DANE, else the host name; {@code null} for an address literal. */
    public String serverName() {
        return serverName;
    }

    /** For {@link Kind#DANE} (and DANE downgrades), what the TLSA lookup found; else {@code null}. */
    public TlsaOutcome tlsa() {
        return tlsa;
    }

    /** Why this is the effective level, e.g. "TLSA records of _25._tcp.mx.example.com all unusable". */
    public String reason() {
        return reason;
    }

    private static boolean isAddressLiteral(String host) {
        return host != null && (host.startsWith("[") || host.indexOf(':') >= 0 || host.matches("\\d{1,3}(\\.\\d{1,3}){3}"));
    }

    /** {@code level=dane effective=encrypt (reason)}, as log lines put it. */
    @Override
    public String toString() {
        return "level=" + match.policy().level() + " effective=" + kind.name().toLowerCase(java.util.Locale.ROOT)
                + " (" + reason + ")";
    }
}
