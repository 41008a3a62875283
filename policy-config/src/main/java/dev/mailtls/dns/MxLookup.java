package dev.mailtls.dns;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where mail for a domain goes, from its MX records (RFC 5321 §5.1, RFC 7505, RFC 7672 §2.2.1):
 * the hosts in the order to try them, or why there are none. Immutable.
 */
public final class MxLookup {
    /** What the policy layer does with the destination. */
    public enum Kind {
        /** Try {@link #hosts()} in order (a domain without MX records is its own implicit MX). */
        HOSTS,
        /** The domain publishes a null MX ("0 ."): it accepts no mail. Permanent (RFC 7505). */
        NULL_MX,
        /** The domain does not exist (NXDOMAIN). Permanent. */
        NO_SUCH_DOMAIN,
        /** The MX lookup was bogus or failed: defer the whole destination (RFC 7672 §2.1.2). */
        DEFER
    }

    private final String domain;
    private final String expandedDomain;
    private final Kind kind;
    private final DnsStatus status;
    private final String reason;
    private final List<MxHost> hosts;

    MxLookup(String domain, String expandedDomain, Kind kind, DnsStatus status, String reason, List<MxHost> hosts) {
        this.domain = domain;
        this.expandedDomain = expandedDomain;
        this.kind = kind;
        this.status = status;
        this.reason = reason;
        this.hosts = Collections.unmodifiableList(new ArrayList<MxHost>(hosts));
    }

    /** The destination domain as asked for, lower case, without the final dot. */
    public String domain() {
        return domain;
    }

    /** {@link #domain()} after CNAME expansion. */
    public String expandedDomain() {
        return expandedDomain;
    }

    public Kind kind() {
        return kind;
    }

    /** The DNSSEC status of the MX lookup. */
    public DnsStatus status() {
        return status;
    }

    /** Whether the MX RRset (or its denial) was DNSSEC-secure; with an insecure MX, DANE need not apply. */
    public boolean secure() {
        return status == DnsStatus.SECURE;
    }

    /** What was found, or why the lookup failed, for the log line. */
    public String reason() {
        return reason;
    }

    /** The hosts sorted by preference (equal preferences in DNS order); empty unless {@link Kind#HOSTS}. */
    public List<MxHost> hosts() {
        return hosts;
    }

    @Override
    public String toString() {
        return domain + ": " + kind + " " + hosts + " (" + reason + ")";
    }
}
