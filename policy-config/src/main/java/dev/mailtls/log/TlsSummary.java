package dev.mailtls.log;

import dev.mailtls.dane.DaneMatch;
import dev.mailtls.tls.PeerTrust;
import dev.mailtls.tls.VerificationOutcome;
import javax.net.ssl.SSLSession;

/**
 * The one summary line per TLS connection, in the words of Postfix's {@code tls_log_summary} so
 * that existing log parsers read it:
 *
 * <pre>
 * Verified TLS connection established to mx.example.com[192.0.2.10]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits); DANE TLSA 3 1 1 94085C49… matched end-entity key at depth 0
 * </pre>
 *
 * The first word is a {@link PeerTrust}. The DANE part appears only when a TLSA record matched;
 * its data is abbreviated to 8 hex digits, enough to tell records apart. The line holds no secret:
 * only names, addresses, protocol and cipher, and public TLSA data. Immutable; build with
 * {@link #builder()}.
 */
public final class TlsSummary {
    private static final int SHOWN_HEX_DIGITS = 8;

    private final String line;

    private TlsSummary(String line) {
        this.line = line;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The log line. */
    @Override
    public String toString() {
        return line;
    }

    /** The secret and algorithm key bits Postfix prints after the cipher, derived from the suite name; {@code null} if unknown. */
    static String cipherBits(String cipherSuite) {
        if (cipherSuite.contains("_AES_256_") || cipherSuite.contains("CHACHA20") || cipherSuite.contains("_CAMELLIA_256_")
                || cipherSuite.contains("_ARIA_256_")) {
            return "256/256";
        }
        if (cipherSuite.contains("_AES_128_") || cipherSuite.contains("_CAMELLIA_128_") || cipherSuite.contains("_ARIA_128_")) {
            return "128/128";
        }
        if (cipherSuite.contains("_3DES_EDE_")) {
            return "112/168";
        }
        return null;
    }

    /**
     * Collects the parts of the line. Host, address, port, protocol, cipher and trust are required;
     * {@link #session} and {@link #outcome} fill most of them.
     */
    public static final class Builder {
        private String host;
        private String address;
        private int port;
        private String protocol;
        private String cipherSuite;
        private PeerTrust trust;
        private DaneMatch daneMatch;
        private boolean reused;

        private Builder() {
        }

        /** The server's host name as connected to, e.g. {@code mx.example.com}. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** The server's IP address, e.g. {@code 192.0.2.10} or {@code 2001:db8::1}. */
        public Builder address(String address) {
            this.address = address;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Protocol and cipher suite of an established session. */
        public Builder session(SSLSession session) {
            this.protocol = session.getProtocol();
            this.cipherSuite = session.getCipherSuite();
            return this;
        }

        public Builder protocol(String protocol) {
            this.protocol = protocol;
            return this;
        }

        public Builder cipherSuite(String cipherSuite) {
            this.cipherSuite = cipherSuite;
            return this;
        }

        /** The trust word and DANE match of a verification outcome. */
        public Builder outcome(VerificationOutcome outcome) {
            this.trust = outcome.peerTrust();
            this.daneMatch = outcome.daneMatch();
            return this;
        }

        /** Overrides the trust word, e.g. {@link PeerTrust#TRUSTED} for a DANE match behind an insecure MX. */
        public Builder trust(PeerTrust trust) {
            this.trust = trust;
            return this;
        }

        public Builder daneMatch(DaneMatch daneMatch) {
            this.daneMatch = daneMatch;
            return this;
        }

        /** Whether the session was resumed: logs {@code reused} instead of {@code established}. */
        public Builder reused(boolean reused) {
            this.reused = reused;
            return this;
        }

        /** @throws IllegalStateException naming the first missing part */
        public TlsSummary build() {
            require(host, "host");
            require(address, "address");
            require(protocol, "protocol");
            require(cipherSuite, "cipherSuite");
            require(trust, "trust");
            if (port < 1 || port > 65535) {
                throw new IllegalStateException("port must be 1 to 65535, not " + port);
            }
            StringBuilder line = new StringBuilder(trust.logWord()).append(" TLS connection ")
                    .append(reused ? "reused" : "established").append(" to ").append(host).append('[').append(address)
                    .append("]:").append(port).append(": ").append(protocol).append(" with cipher ").append(cipherSuite);
            String bits = cipherBits(cipherSuite);
            if (bits != null) {
                line.append(" (").append(bits).append(" bits)");
            }
            if (daneMatch != null) {
                String hex = daneMatch.record().dataHex();
                line.append("; DANE TLSA ").append(daneMatch.record().usage()).append(' ').append(daneMatch.record().selector())
                        .append(' ').append(daneMatch.record().matchingType()).append(' ')
                        .append(hex.length() > SHOWN_HEX_DIGITS ? hex.substring(0, SHOWN_HEX_DIGITS) + "\u2026" : hex)
                        .append(" matched ").append(daneMatch.matchedWhat()).append(" at depth ").append(daneMatch.depth());
            }
            return new TlsSummary(line.toString());
        }

        private static void require(Object value, String name) {
            if (value == null) {
                throw new IllegalStateException("TLS summary needs " + name);
            }
        }
    }
}
