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
}
