package dev.mailtls.dns;

import org.xbill.DNS.Name;

/**
 * One mail exchanger of a destination domain, as found by {@link DestinationResolver#lookupMx}:
 * its host name and preference, and what DANE needs to know about the MX lookup that named it (the
 * destination domain, its CNAME-expanded form, whether the MX RRset was DNSSEC-secure). Immutable.
 */
public final class MxHost {
    private final Name name;
    private final int preference;
    private final String destination;
    private final String expandedDestination;
    private final DnsStatus mxStatus;
    private final boolean implicit;

    MxHost(Name name, int preference, String destination, String expandedDestination, DnsStatus mxStatus,
            boolean implicit) {
        this.name = name;
        this.preference = preference;
        this.destination = destination;
        this.expandedDestination = expandedDestination;
        this.mxStatus = mxStatus;
        this.implicit = implicit;
    }

    /** The host name, lower case, without the final dot. */
    public String name() {
        return DestinationResolver.text(name);
    }

    Name dnsName() {
        return name;
    }

    /** The MX preference; lower is tried first. An implicit MX has preference 0. */
    public int preference() {
        return preference;
    }

    /** The domain whose MX lookup named this host (the next-hop domain of RFC 7672 §3.2.2). */
    public String destination() {
        return destination;
    }

    /** {@link #destination()} after CNAME expansion (the same name when it has no CNAME). */
    public String expandedDestination() {
        return expandedDestination;
    }

    /** Whether the MX RRset was DNSSEC-secure. An insecure MX can be forged, so DANE "need not apply". */
    public boolean mxSecure() {
        return mxStatus == DnsStatus.SECURE;
    }

    /** Whether the domain has no MX records and this is the domain itself (RFC 5321 §5.1). */
    public boolean implicit() {
        return implicit;
    }

    @Override
    public String toString() {
        return (implicit ? "implicit MX " : "MX " + preference + " ") + name() + " (" + mxStatus + ")";
    }
}
