package dev.mailtls.engine;

import dev.mailtls.config.MailTlsConfig;
import dev.mailtls.dns.DestinationResolver;
import dev.mailtls.dns.DnssecResolver;
import dev.mailtls.dns.HostLookup;
import dev.mailtls.dns.TlsaOutcome;
import dev.mailtls.policy.DestinationPolicy;
import dev.mailtls.policy.PolicyMatch;
import dev.mailtls.policy.TlsLevel;
import java.io.Closeable;
import java.util.Arrays;
import java.util.Collections;

/**
 * The one place where MailTLS Guard decides what a connection must achieve: the policy table
 * says which level applies to a destination, and for {@code dane} and {@code dane-only} the
 * DNSSEC-validated TLSA records say what that level means for this server (RFC 7672 §2.2, with
 * Postfix's downgrades). The agent and the James mailet both ask here. Thread-safe; holds the
 * DNS resolver and its cache, so close it when done.
 */
public final class PolicyEngine implements Closeable {
    private final MailTlsConfig config;
    private final DnssecResolver dns;
    private final DestinationResolver destinations;

    private PolicyEngine(MailTlsConfig config, DnssecResolver dns) {
        this.config = config;
        this.dns = dns;
        this.destinations = new DestinationResolver(dns);
    }

    /** The engine for {@code config}, with a DNS resolver made from its DNS settings. */
    public static PolicyEngine create(MailTlsConfig config) {
        return new PolicyEngine(config, DnssecResolver.create(config.dns()));
    }

    public MailTlsConfig config() {
        return config;
    }

    /** The rule for {@code destination} (see {@link dev.mailtls.policy.PolicyTable#match}). */
    public PolicyMatch match(String destination) {
        return config.policies().match(destination);
    }

    /** The DNS lookups of this engine, for callers that resolve MX hosts themselves (the mailet). */
    public DestinationResolver destinations() {
        return destinations;
    }

    /**
     * What a connection to {@code host:port} must achieve when the host itself is the destination
     * (the agent: the SMTP server the application connects to, with no MX lookup). Looks up
     * DNSSEC-validated addresses and TLSA records only for the DANE levels.
     */
    public ConnectionRequirement forHost(PolicyMatch match, String host, int port) {
        DestinationPolicy policy = match.policy();
        TlsLevel level = policy.level();
        if (!level.usesDane()) {
            return withoutDane(match, host, port, level, "level " + level);
        }
        HostLookup lookup = destinations.lookupHost(host, port);
        TlsaOutcome tlsa = lookup.tlsa();
        if (lookup.addresses().isEmpty()) {
            return refused(match, host, port, tlsa, "address lookup of " + host + " failed: " + lookup.addressReason());
        }
        switch (tlsa.kind()) {
            case AUTHENTICATION_REQUIRED:
                return new ConnectionRequirement(match, host, port, ConnectionRequirement.Kind.DANE, tlsa.referenceNames(),
                        tlsa.baseDomain(), tlsa, tlsa.usableRecords().size() + " usable TLSA records at " + tlsa.tlsaName());
            case ENCRYPTION_REQUIRED:
                return new ConnectionRequirement(match, host, port, ConnectionRequirement.Kind.ENCRYPT,
                        Collections.<String>emptyList(), tlsa.baseDomain(), tlsa,
                        "all TLSA records at " + tlsa.tlsaName() + " are unusable: TLS without authentication");
            case LOOKUP_FAILED:
                return refused(match, host, port, tlsa, "TLSA lookup error: " + tlsa.reason());
            default:
                if (level == TlsLevel.DANE_ONLY) {
                    return refused(match, host, port, tlsa, "dane-only requires usable DNSSEC-secure TLSA records: "
                            + tlsa.reason());
                }
                return withoutDane(match, host, port, policy.daneFallback(), "no DANE (" + tlsa.reason() + "): fallback "
                        + policy.daneFallback());
        }
    }

    private static ConnectionRequirement withoutDane(PolicyMatch match, String host, int port, TlsLevel level, String reason) {
        switch (level) {
            case NONE:
                return plain(match, host, port, ConnectionRequirement.Kind.NONE, reason);
            case MAY:
                return plain(match, host, port, ConnectionRequirement.Kind.MAY, reason);
            case ENCRYPT:
                return plain(match, host, port, ConnectionRequirement.Kind.ENCRYPT, reason);
            case VERIFY:
                // Postfix's verify matches the host name.
                return new ConnectionRequirement(match, host, port, ConnectionRequirement.Kind.VERIFY,
                        Collections.singletonList(host), host, null, reason);
            default:
                // secure: the next hop and its subdomains (Postfix "nexthop, dot-nexthop"); here the host is the next hop.
                return new ConnectionRequirement(match, host, port, ConnectionRequirement.Kind.SECURE,
                        Arrays.asList(host, "." + host), host, null, reason);
        }
    }

    private static ConnectionRequirement plain(PolicyMatch match, String host, int port, ConnectionRequirement.Kind kind,
            String reason) {
        return new ConnectionRequirement(match, host, port, kind, Collections.<String>emptyList(), host, null, reason);
    }

    private static ConnectionRequirement refused(PolicyMatch match, String host, int port, TlsaOutcome tlsa, String reason) {
        return new ConnectionRequirement(match, host, port, ConnectionRequirement.Kind.REFUSED,
                Collections.<String>emptyList(), host, tlsa, reason);
    }

    @Override
    public void close() {
        dns.close();
    }
}
