package dev.mailtls.dns;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where and how DNS is asked: the recursive servers, the {@link DnssecMode}, the DNSSEC trust
 * anchors (zone-file text of DS or DNSKEY records, already checked to parse) and the timeout of one
 * lookup. Immutable; made by the configuration loader.
 */
public final class DnsSettings {
    private final List<InetSocketAddress> servers;
    private final DnssecMode dnssecMode;
    private final String trustAnchors;
    private final String trustAnchorsSource;
    private final long timeoutMillis;

    public DnsSettings(List<InetSocketAddress> servers, DnssecMode dnssecMode, String trustAnchors,
            String trustAnchorsSource, long timeoutMillis) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("at least one DNS server is needed");
        }
        this.servers = Collections.unmodifiableList(new ArrayList<InetSocketAddress>(servers));
        this.dnssecMode = dnssecMode;
        this.trustAnchors = trustAnchors;
        this.trustAnchorsSource = trustAnchorsSource;
        this.timeoutMillis = timeoutMillis;
    }

    /** The recursive resolvers, in the order they are tried. */
    public List<InetSocketAddress> servers() {
        return servers;
    }

    public DnssecMode dnssecMode() {
        return dnssecMode;
    }

    /** DS or DNSKEY records in zone-file format; used in {@link DnssecMode#VALIDATE} mode. */
    public String trustAnchors() {
        return trustAnchors;
    }

    /** Where {@link #trustAnchors()} came from: a file name, or "built-in IANA root anchors". */
    public String trustAnchorsSource() {
        return trustAnchorsSource;
    }

    /** How long one DNS lookup may take before it counts as failed (and the mail is deferred). */
    public long timeoutMillis() {
        return timeoutMillis;
    }

    /**
     * Why these settings cannot give trustworthy DNSSEC answers, or {@code null} if they can. A
     * {@link DnssecMode#TRUST_AD} server must be on a loopback address: the AD bit is not signed,
     * so anybody between us and a remote resolver could set it (RFC 7672 §2.1.1, RFC 4035 §4.9.3).
     * {@link DnssecMode#VALIDATE} needs trust anchors to validate from.
     */
    public String problem() {
        if (dnssecMode == null) {
            return "no DNSSEC mode is set; use dnssec-mode validate or trust-ad";
        }
        if (timeoutMillis <= 0) {
            return "the DNS timeout must be positive, not " + timeoutMillis + " ms";
        }
        if (dnssecMode == DnssecMode.TRUST_AD) {
            for (InetSocketAddress server : servers) {
                if (server.getAddress() == null || !server.getAddress().isLoopbackAddress()) {
                    return "dnssec-mode trust-ad trusts the AD bit of DNS server " + server.getHostString() + ":"
                            + server.getPort() + ", which is not on a loopback address, so anybody on the path could"
                            + " forge it; run a validating resolver on 127.0.0.1 or use dnssec-mode validate";
                }
            }
        }
        if (dnssecMode == DnssecMode.VALIDATE && (trustAnchors == null || trustAnchors.trim().isEmpty())) {
            return "dnssec-mode validate needs DNSSEC trust anchors (DS or DNSKEY records), but "
                    + (trustAnchorsSource == null ? "none were configured" : trustAnchorsSource + " holds none");
        }
        return null;
    }
}
