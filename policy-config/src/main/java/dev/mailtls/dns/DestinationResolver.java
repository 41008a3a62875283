package dev.mailtls.dns;

import dev.mailtls.dane.TlsaRecord;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The DNS half of RFC 7672: finds a destination's MX hosts ({@link #lookupMx}), then for each host
 * its addresses and what its TLSA records demand ({@link #lookupHost(MxHost, int)}). A destination
 * reached without MX lookup (a configured {@code [host]:port} route) uses
 * {@link #lookupHost(String, int)}.
 *
 * <p>TLSA base domains (RFC 7672 §2.2.2): the host name itself; after a secure CNAME chain the
 * expanded name, then the original name; after a chain that starts with a secure CNAME and then
 * turns insecure, the original name only; never an intermediate name. Hosts whose addresses are
 * insecure get no TLSA lookup. A TLSA base domain whose TLSA RRset is insecure or securely denied
 * gives way to the next one; a failed TLSA lookup stops, and the host is unusable.
 *
 * <p>For hosts of an insecure MX RRset the TLSA records are still used, flagged
 * {@link TlsaOutcome#insecureMx()} (Postfix's default; see there).
 */
public final class DestinationResolver {
    private final DnssecResolver dns;

    public DestinationResolver(DnssecResolver dns) {
        this.dns = dns;
    }

    /**
     * The MX hosts of {@code domain}, sorted by preference. No MX records make the domain its own
     * MX (preference 0); a null MX means no mail; a bogus or failed MX lookup means defer.
     *
     * @throws IllegalArgumentException if {@code domain} is not a DNS name
     */
    public MxLookup lookupMx(String domain) {
        Name name = DnssecResolver.toName(domain);
        DnsAnswer answer = dns.lookup(name, Type.MX);
        String asked = text(name);
        String expanded = text(answer.canonicalName());
        if (!answer.isAnswer()) {
            return new MxLookup(asked, expanded, MxLookup.Kind.DEFER, answer.status(), "MX lookup for " + asked
                    + " is " + answer.status() + ": " + answer.reason() + "; deferring the destination (RFC 7672 2.1.2)",
                    Collections.<MxHost>emptyList());
        }
        String security = "MX RRset DNSSEC " + answer.status();
        switch (answer.kind()) {
            case NO_SUCH_NAME:
                return new MxLookup(asked, expanded, MxLookup.Kind.NO_SUCH_DOMAIN, answer.status(),
                        "domain " + expanded + " does not exist (NXDOMAIN, " + answer.status() + ")",
                        Collections.<MxHost>emptyList());
            case NO_DATA:
                MxHost itself = new MxHost(name, 0, asked, expanded, answer.status(), true);
                return new MxLookup(asked, expanded, MxLookup.Kind.HOSTS, answer.status(),
                        "no MX records, the domain is its own MX (RFC 5321 5.1); " + security,
                        Collections.singletonList(itself));
            default:
                return hosts(asked, expanded, answer, security);
        }
    }

    private static MxLookup hosts(String asked, String expanded, DnsAnswer answer, String security) {
        List<MXRecord> records = new ArrayList<MXRecord>();
        for (Record record : answer.records()) {
            if (!((MXRecord) record).getTarget().equals(Name.root)) {
                records.add((MXRecord) record);
            }
        }
        if (records.isEmpty()) {
            return new MxLookup(asked, expanded, MxLookup.Kind.NULL_MX, answer.status(),
                    "null MX: " + expanded + " accepts no mail (RFC 7505); " + security, Collections.<MxHost>emptyList());
        }
        // Stable: equal preferences keep the order DNS gave them.
        Collections.sort(records, new Comparator<MXRecord>() {
            @Override
            public int compare(MXRecord a, MXRecord b) {
                return Integer.compare(a.getPriority(), b.getPriority());
            }
        });
        List<MxHost> hosts = new ArrayList<MxHost>();
        List<Name> seen = new ArrayList<Name>();
        for (MXRecord record : records) {
            if (!seen.contains(record.getTarget())) {
                seen.add(record.getTarget());
                hosts.add(new MxHost(record.getTarget(), record.getPriority(), asked, expanded, answer.status(), false));
            }
        }
        boolean ignoredNullMx = records.size() < answer.records().size();
        return new MxLookup(asked, expanded, MxLookup.Kind.HOSTS, answer.status(), hosts.size() + " MX host"
                + (hosts.size() == 1 ? "" : "s") + (ignoredNullMx ? " (a null MX among them was ignored, RFC 7505 3)" : "")
                + "; " + security, hosts);
    }

    /**
     * The addresses of an MX host and, for port {@code port}, the outcome of its TLSA lookup. The
     * DANE-TA reference names follow the MX lookup: the destination and its expansion when the MX
     * RRset was secure, the MX host name when it was not.
     */
    public HostLookup lookupHost(final MxHost host, int port) {
        checkPort(port);
        return lookup(host.dnsName(), port, new ReferenceNames() {
            @Override
            public List<String> forBase(String base, String expandedHost) {
                return host.mxSecure() ? distinct(base, host.destination(), host.expandedDestination())
                        : distinct(base, host.name());
            }
        }, !host.mxSecure());
    }

    /**
     * The addresses and TLSA outcome of a host reached without MX lookup, such as a configured
     * {@code [host]:port} route. The DANE-TA reference names are its expanded and original names. An
     * address literal has no DNS and no DANE (RFC 7672 §2.2).
     *
     * @throws IllegalArgumentException if {@code hostname} is neither a DNS name nor an address
     */
    public HostLookup lookupHost(String hostname, int port) {
        checkPort(port);
        InetAddress literal = literal(hostname);
        if (literal != null) {
            return new HostLookup(hostname, Collections.singletonList(literal), DnsStatus.INSECURE,
                    "address literal, no DNS lookup",
                    TlsaOutcome.notApplicable("DANE does not apply to address literals (RFC 7672 2.2)"), Collections.<DnsAnswer>emptyList());
        }
        return lookup(DnssecResolver.toName(hostname), port, new ReferenceNames() {
            @Override
            public List<String> forBase(String base, String expandedHost) {
                return distinct(base, expandedHost, text(DnssecResolver.toName(hostname)));
            }
        }, false);
    }

    private HostLookup lookup(Name host, int port, ReferenceNames referenceNames, boolean insecureMx) {
        CompletableFuture<DnsAnswer> pendingV4 = dns.lookupAsync(host, Type.A);
        CompletableFuture<DnsAnswer> pendingV6 = dns.lookupAsync(host, Type.AAAA);
        DnsAnswer v4 = dns.await(pendingV4, host, Type.A);
        DnsAnswer v6 = dns.await(pendingV6, host, Type.AAAA);
        List<DnsAnswer> basis = new ArrayList<DnsAnswer>();
        basis.add(v4);
        basis.add(v6);
        String hostname = text(host);
        List<InetAddress> addresses = new ArrayList<InetAddress>();
        List<DnsAnswer> answered = new ArrayList<DnsAnswer>();
        StringBuilder reason = new StringBuilder();
        for (DnsAnswer answer : new DnsAnswer[] {v4, v6}) {
            if (reason.length() > 0) {
                reason.append("; ");
            }
            reason.append(Type.string(answer.type())).append(' ').append(answer.status());
            if (!answer.isAnswer()) {
                reason.append(": ").append(answer.reason());
                continue;
            }
            answered.add(answer);
            reason.append(answer.kind() == DnsAnswer.Kind.RECORDS ? "" : " " + answer.kind());
            for (Record record : answer.records()) {
                addresses.add(address(hostname, record));
            }
        }
        if (answered.isEmpty()) {
            DnsStatus failure = v6.status() == DnsStatus.BOGUS ? DnsStatus.BOGUS : v4.status();
            return new HostLookup(hostname, addresses, failure, reason.toString(), TlsaOutcome.notApplicable(
                    "address lookup for " + hostname + " failed, TLSA not looked up; the host is unusable"), basis);
        }
        DnsStatus status = DnsStatus.SECURE;
        for (DnsAnswer answer : answered) {
            status = status.then(answer.status());
        }
        if (addresses.isEmpty()) {
            return new HostLookup(hostname, addresses, status, reason.toString(),
                    TlsaOutcome.notApplicable(hostname + " has no addresses, TLSA not looked up"), basis);
        }
        List<Name> bases = baseDomains(answered);
        if (bases.isEmpty()) {
            return new HostLookup(hostname, addresses, status, reason.toString(), TlsaOutcome.notApplicable(
                    "addresses of " + hostname + " are DNSSEC-insecure, so TLSA is not looked up (RFC 7672 2.2.2)"), basis);
        }
        String expandedHost = text(answered.get(0).canonicalName());
        TlsaOutcome tlsa = tlsa(bases, port, referenceNames, expandedHost, insecureMx, basis);
        return new HostLookup(hostname, addresses, status, reason.toString(), tlsa, basis);
    }

    /**
     * The TLSA base domains in the order to try (RFC 7672 §2.2.2), from all answered address lookups;
     * when they disagree the more cautious one wins. Empty when TLSA must not be looked up.
     */
    private static List<Name> baseDomains(List<DnsAnswer> answered) {
        List<Name> chosen = null;
        for (DnsAnswer answer : answered) {
            List<Name> bases = new ArrayList<Name>();
            if (answer.aliases().isEmpty()) {
                if (answer.status() == DnsStatus.SECURE) {
                    bases.add(answer.name());
                }
            } else if (answer.status() == DnsStatus.SECURE) {
                bases.add(answer.canonicalName());
                bases.add(answer.name());
            } else if (answer.aliases().get(0).status() == DnsStatus.SECURE) {
                bases.add(answer.name());
            }
            if (chosen == null || bases.size() < chosen.size()) {
                chosen = bases;
            }
        }
        return chosen;
    }

    private TlsaOutcome tlsa(List<Name> bases, int port, ReferenceNames referenceNames, String expandedHost,
            boolean insecureMx, List<DnsAnswer> basis) {
        StringBuilder passed = new StringBuilder();
        for (Name base : bases) {
            Name owner;
            try {
                owner = new Name("_" + port + "._tcp", base);
            } catch (TextParseException e) {
                passed.append(base).append(" is too long for a TLSA name; ");
                continue;
            }
            DnsAnswer answer = dns.lookup(owner, Type.TLSA);
            basis.add(answer);
            String tlsaName = text(owner);
            if (!answer.isAnswer()) {
                return TlsaOutcome.lookupFailed("TLSA lookup for " + tlsaName + " is " + answer.status() + ": "
                        + answer.reason() + "; this MX host must not be used (RFC 7672 2.1.2)", tlsaName, text(base));
            }
            if (answer.status() == DnsStatus.INSECURE) {
                passed.append(tlsaName).append(" is DNSSEC-insecure (").append(answer.reason()).append("); ");
                continue;
            }
            if (answer.records().isEmpty()) {
                passed.append(tlsaName).append(" securely denied (").append(answer.kind()).append("); ");
                continue;
            }
            List<TlsaRecord> records = new ArrayList<TlsaRecord>();
            int usable = 0;
            for (Record record : answer.records()) {
                TLSARecord tlsa = (TLSARecord) record;
                TlsaRecord value = TlsaRecord.of(tlsa.getCertificateUsage(), tlsa.getSelector(), tlsa.getMatchingType(),
                        tlsa.getCertificateAssociationData());
                records.add(value);
                usable += value.isUsableForSmtp() ? 1 : 0;
            }
            String reason = passed + tlsaName + " DNSSEC secure: " + records.size() + " TLSA record"
                    + (records.size() == 1 ? "" : "s") + ", " + usable + " usable"
                    + (usable == 0 ? ", so TLS is required without authentication (RFC 7672 2.2)" : "")
                    + (insecureMx ? "; MX RRset insecure, so at best \"Trusted\", never \"Verified\"" : "");
            return TlsaOutcome.secure(reason, tlsaName, text(base), records,
                    referenceNames.forBase(text(base), expandedHost), insecureMx);
        }
        return TlsaOutcome.notApplicable(passed + "no DANE for this host");
    }

    /** The DANE-TA reference names of a TLSA base domain, by how the host was reached. */
    private interface ReferenceNames {
        List<String> forBase(String base, String expandedHost);
    }

    private static List<String> distinct(String... names) {
        List<String> list = new ArrayList<String>();
        for (String name : names) {
            if (!list.contains(name)) {
                list.add(name);
            }
        }
        return list;
    }

    private static InetAddress literal(String hostname) {
        String bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.substring(1, hostname.length() - 1)
                : hostname;
        byte[] bytes = Address.toByteArray(bare, Address.IPv4);
        if (bytes == null) {
            bytes = Address.toByteArray(bare.regionMatches(true, 0, "IPv6:", 0, 5) ? bare.substring(5) : bare,
                    Address.IPv6);
        }
        try {
            return bytes == null ? null : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The address of an A or AAAA record, named like the host that was asked for (no final dot). */
    private static InetAddress address(String hostname, Record record) {
        InetAddress address = record instanceof ARecord ? ((ARecord) record).getAddress()
                : ((AAAARecord) record).getAddress();
        try {
            return InetAddress.getByAddress(hostname, address.getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an A or AAAA record always has 4 or 16 bytes", e);
        }
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("TCP port must be 1 to 65535, not " + port);
        }
    }

    /** A DNS name as it appears in certificates and logs: lower case, no final dot. */
    static String text(Name name) {
        return name.toString(true).toLowerCase(Locale.ROOT);
    }
}
