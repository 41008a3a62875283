package dev.mailtls.dns;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One SMTP server, looked up as RFC 7672 §2.2.2 orders: its addresses first (A, then AAAA), then,
 * only if the address lookup was secure, its TLSA records ({@link #tlsa()}). Immutable.
 */
public final class HostLookup {
    private final String hostname;
    private final List<InetAddress> addresses;
    private final DnsStatus addressStatus;
    private final String addressReason;
    private final TlsaOutcome tlsa;
    private final List<DnsAnswer> basis;

    HostLookup(String hostname, List<InetAddress> addresses, DnsStatus addressStatus, String addressReason,
            TlsaOutcome tlsa, List<DnsAnswer> basis) {
        this.hostname = hostname;
        this.addresses = Collections.unmodifiableList(new ArrayList<InetAddress>(addresses));
        this.addressStatus = addressStatus;
        this.addressReason = addressReason;
        this.tlsa = tlsa;
        this.basis = Collections.unmodifiableList(new ArrayList<DnsAnswer>(basis));
    }

    /**
     * The DNS answers this lookup was made from (addresses, TLSA): while
     * {@link DnssecResolver#stillCurrent} says they all are, the same lookup would give the same result.
     */
    public List<DnsAnswer> basis() {
        return basis;
    }

    /** The host name as asked for, lower case, without the final dot. */
    public String hostname() {
        return hostname;
    }

    /** The IPv4 addresses, then the IPv6 addresses; empty when the lookup failed or found none. */
    public List<InetAddress> addresses() {
        return addresses;
    }

    /**
     * The DNSSEC status of the address lookup: secure only if every answered lookup (A, AAAA) was,
     * bogus or indeterminate if none answered.
     */
    public DnsStatus addressStatus() {
        return addressStatus;
    }

    /** What the address lookup found, including a failed A or AAAA lookup when the other answered. */
    public String addressReason() {
        return addressReason;
    }

    public TlsaOutcome tlsa() {
        return tlsa;
    }

    /**
     * Whether mail may go to this host at all: it has addresses and its TLSA lookup did not fail.
     * When false, try the next MX host, and defer when none is left.
     */
    public boolean usable() {
        return !addresses.isEmpty() && tlsa.kind() != TlsaOutcome.Kind.LOOKUP_FAILED;
    }

    @Override
    public String toString() {
        return hostname + " " + addresses + " (" + addressStatus + ": " + addressReason + "); TLSA: " + tlsa;
    }
}
