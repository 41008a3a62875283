package dev.mailtls.engine;

import dev.mailtls.config.MailTlsConfig;
import dev.mailtls.dane.TlsaRecord;
import dev.mailtls.dane.TlsaSet;
import dev.mailtls.dns.DestinationResolver;
import dev.mailtls.dns.DnsAnswer;
import dev.mailtls.dns.DnssecResolver;
import dev.mailtls.dns.HostLookup;
import dev.mailtls.dns.MxHost;
import dev.mailtls.dns.TlsaOutcome;
import dev.mailtls.policy.DestinationPolicy;
import dev.mailtls.policy.PolicyAction;
import dev.mailtls.policy.PolicyMatch;
import dev.mailtls.policy.PolicyRule;
import dev.mailtls.policy.TlsLevel;
import dev.mailtls.tls.ClientKeys;
import dev.mailtls.tls.ClientTlsContext;
import dev.mailtls.tls.ReferenceIdentifiers;
import dev.mailtls.tls.TrustStore;
import dev.mailtls.tls.VerificationRequirement;
import java.io.Closeable;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManager;

/**
 * The one place where MailTLS Guard decides what a connection must achieve: the policy table
 * says which level applies to a destination, and for {@code dane} and {@code dane-only} the
 * DNSSEC-validated TLSA records say what that level means for this server (RFC 7672 §2.2, with
 * Postfix's downgrades). The agent and the James mailet both ask here. Thread-safe; holds the
 * DNS resolver and its cache, so close it when done.
 */
public final class PolicyEngine implements Closeable {
    /** How many TLS contexts {@link #tlsContext} remembers; a few KiB each. */
    static final int MAX_TLS_CONTEXTS = 1000;

    private final MailTlsConfig config;
    private final DnssecResolver dns;
    private final DestinationResolver destinations;
    private final TrustStore trustStore;
    /** The client certificate to present, or {@code null} for none. */
    private final KeyManager[] clientKeys;
    private final ConcurrentHashMap<DecisionKey, Decision> decisions = new ConcurrentHashMap<>();
    /** The TLS contexts built so far, one per destination and requirement; see {@link #tlsContext}. */
    private final ConcurrentHashMap<TlsContextKey, ClientTlsContext> tlsContexts =
            new ConcurrentHashMap<TlsContextKey, ClientTlsContext>();

    private PolicyEngine(MailTlsConfig config, DnssecResolver dns, TrustStore trustStore, KeyManager[] clientKeys) {
        this.config = config;
        this.dns = dns;
        this.destinations = new DestinationResolver(dns);
        this.trustStore = trustStore;
        this.clientKeys = clientKeys;
    }

    /**
     * The engine for {@code config}: loads its PKIX trust store and starts a DNS resolver made from
     * its DNS settings.
     *
     * @throws IOException if the trust store cannot be read
     * @throws GeneralSecurityException if the trust store holds no usable CA certificate
     */
    public static PolicyEngine create(MailTlsConfig config) throws IOException, GeneralSecurityException {
        TrustStore trustStore = TrustStore.fromSettings(config.tls());
        // The JVM's default client certificate stays presented: only the trust decision is the policy's.
        return new PolicyEngine(config, DnssecResolver.create(config.dns()), trustStore, ClientKeys.fromSystemProperties());
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
        TlsLevel level = match.policy().level();
        if (!level.usesDane()) {
            return withoutDane(match, host, host, port, level, "level " + level);
        }
        DecisionKey key = new DecisionKey(match, host, port, null);
        ConnectionRequirement remembered = remembered(key);
        if (remembered != null) {
            return remembered;
        }
        HostLookup lookup = destinations.lookupHost(host, port);
        return remember(key, lookup, withDane(match, host, host, port, lookup, false));
    }

    /**
     * What a connection to one MX host of a recipient domain must achieve (the mailet, and
     * {@code mailtls check DOMAIN}). At {@code secure} the certificate must name the next hop (the
     * domain); at {@code verify}, the MX host. Under DANE an insecure MX RRset still uses the host's
     * secure TLSA records but can never be logged as Verified (Postfix's default), and
     * {@code dane-only} refuses it: mandatory DANE needs a signed MX (RFC 7672 §2.2.1).
     */
    public ConnectionRequirement forMxHost(PolicyMatch match, MxHost host, int port) {
        TlsLevel level = match.policy().level();
        if (!level.usesDane()) {
            return withoutDane(match, host.name(), host.destination(), port, level, "level " + level);
        }
        if (!host.mxSecure() && level == TlsLevel.DANE_ONLY) {
            return refused(match, host.name(), port, null, "dane-only requires a DNSSEC-secure MX lookup, but the MX"
                    + " records of " + host.destination() + " are not signed");
        }
        DecisionKey key = new DecisionKey(match, host.name(), port, host);
        ConnectionRequirement remembered = remembered(key);
        if (remembered != null) {
            return remembered;
        }
        HostLookup lookup = destinations.lookupHost(host, port);
        return remember(key, lookup, withDane(match, host.name(), host.destination(), port, lookup, !host.mxSecure()));
    }

    /**
     * A DANE decision made before from DNS answers that are all still the cached, unexpired ones,
     * or {@code null}. Such a decision would come out the same; reusing it spares re-reading the
     * answers (the cost is in turning names and records into the decision, not in the cache).
     */
    private ConnectionRequirement remembered(DecisionKey key) {
        Decision decision = decisions.get(key);
        return decision != null && dns.stillCurrent(decision.basis) ? decision.requirement : null;
    }

    private ConnectionRequirement remember(DecisionKey key, HostLookup lookup, ConnectionRequirement requirement) {
        if (decisions.size() >= MAX_DECISIONS) {
            // Destinations come from applications; a bound keeps ever new names from growing memory.
            decisions.clear();
        }
        decisions.put(key, new Decision(requirement, lookup.basis()));
        return requirement;
    }

    private static ConnectionRequirement withDane(PolicyMatch match, String host, String nextHop, int port,
            HostLookup lookup, boolean insecureMx) {
        TlsaOutcome tlsa = lookup.tlsa();
        if (lookup.addresses().isEmpty()) {
            return refused(match, host, port, tlsa, "address lookup of " + host + " failed: " + lookup.addressReason());
        }
        String mxNote = insecureMx ? " (MX lookup insecure: authenticated, but never Verified)" : "";
        switch (tlsa.kind()) {
            case AUTHENTICATION_REQUIRED:
                return new ConnectionRequirement(match, host, port, ConnectionRequirement.Kind.DANE, tlsa.referenceNames(),
                        tlsa.baseDomain(), tlsa, tlsa.usableRecords().size() + " usable TLSA records at " + tlsa.tlsaName()
                        + mxNote);
            case ENCRYPTION_REQUIRED:
                if (match.policy().level() == TlsLevel.DANE_ONLY) {
                    // Postfix's dane-only, too: unusable records authenticate nobody, so no connection.
                    return refused(match, host, port, tlsa, "dane-only requires usable DNSSEC-secure TLSA records, but all"
                            + " TLSA records at " + tlsa.tlsaName() + " are unusable");
                }
                return new ConnectionRequirement(match, host, port, ConnectionRequirement.Kind.ENCRYPT,
                        Collections.<String>emptyList(), tlsa.baseDomain(), tlsa,
                        "all TLSA records at " + tlsa.tlsaName() + " are unusable: TLS without authentication");
            case LOOKUP_FAILED:
                return refused(match, host, port, tlsa, "TLSA lookup error: " + tlsa.reason());
            default:
                DestinationPolicy policy = match.policy();
                if (policy.level() == TlsLevel.DANE_ONLY) {
                    return refused(match, host, port, tlsa, "dane-only requires usable DNSSEC-secure TLSA records: "
                            + tlsa.reason());
                }
                return withoutDane(match, host, nextHop, port, policy.daneFallback(), "no DANE (" + tlsa.reason()
                        + "): fallback " + policy.daneFallback());
        }
    }

    private static ConnectionRequirement withoutDane(PolicyMatch match, String host, String nextHop, int port,
            TlsLevel level, String reason) {
        switch (level) {
            case NONE:
                return plain(match, host, port, ConnectionRequirement.Kind.NONE, reason);
            case MAY:
                return plain(match, host, port, ConnectionRequirement.Kind.MAY, reason);
            case ENCRYPT:
                return plain(match, host, port, ConnectionRequirement.Kind.ENCRYPT, reason);
            case VERIFY:
                // Postfix's verify matches the server's host name.
                return new ConnectionRequirement(match, host, port, ConnectionRequirement.Kind.VERIFY,
                        Collections.singletonList(host), host, null, reason);
            default:
                // secure: the next hop and every name below it (Postfix "nexthop, dot-nexthop").
                return new ConnectionRequirement(match, host, port, ConnectionRequirement.Kind.SECURE,
                        Arrays.asList(nextHop, "." + nextHop), host, null, reason);
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

    /**
     * The TLS client context whose trust manager enforces {@code requirement}: DANE against its
     * TLSA records, PKIX against the trust store and its names, or "any certificate, recorded"
     * where no authentication is required (the trust store then only tells Trusted from
     * Untrusted in the log line). Under {@code action=audit} the same checks run and are
     * recorded but never fail the handshake. SNI is the requirement's server name.
     *
     * <p>One context serves every connection to the same host and port under an equal
     * requirement (same effective level, the same TLSA records in any order, same names, SNI and
     * action), so its TLS session cache lets later connections resume a session that an earlier
     * one verified in full, as Postfix's TLS session cache does. A changed TLSA set (a key
     * roll-over, an attack on DNS) is a different requirement, so it gets a new context and never
     * resumes a session verified against the old records. At most {@value #MAX_TLS_CONTEXTS}
     * contexts are kept; the memory is cleared when full.
     *
     * <p>Not shared: a requirement that asks for authentication under {@code action=audit}. Such a
     * connection proceeds even when its certificate failed, and that session must never stand in
     * for a verified one, so each of these connections gets a context of its own and a full
     * handshake, verified (and its violation logged) every time.
     *
     * @throws GeneralSecurityException if a configured protocol is not supported by this JVM
     */
    public ClientTlsContext tlsContext(ConnectionRequirement requirement) throws GeneralSecurityException {
        TlsaSet tlsa = requirement.kind() == ConnectionRequirement.Kind.DANE
                ? TlsaSet.builder().baseDomain(requirement.tlsa().baseDomain(), requirement.port())
                        .addAll(requirement.tlsa().records()).build()
                : null;
        if (requirement.kind().authenticates() && requirement.match().policy().action() == PolicyAction.AUDIT) {
            return buildTlsContext(requirement, tlsa);
        }
        TlsContextKey key = new TlsContextKey(requirement, tlsa);
        ClientTlsContext remembered = tlsContexts.get(key);
        if (remembered != null) {
            return remembered;
        }
        ClientTlsContext built = buildTlsContext(requirement, tlsa);
        if (tlsContexts.size() >= MAX_TLS_CONTEXTS) {
            tlsContexts.clear();
        }
        ClientTlsContext raced = tlsContexts.putIfAbsent(key, built);
        return raced != null ? raced : built;
    }

    private ClientTlsContext buildTlsContext(ConnectionRequirement requirement, TlsaSet tlsa) throws GeneralSecurityException {
        VerificationRequirement verification;
        switch (requirement.kind()) {
            case DANE:
                verification = VerificationRequirement.dane(tlsa, ReferenceIdentifiers.of(requirement.names()));
                break;
            case VERIFY:
            case SECURE:
                verification = VerificationRequirement.pkix(trustStore, ReferenceIdentifiers.of(requirement.names()));
                break;
            default:
                verification = VerificationRequirement.anyCertificate(trustStore);
        }
        if (requirement.match().policy().action() == PolicyAction.AUDIT) {
            verification = verification.reportOnly();
        }
        ClientTlsContext.Builder context = ClientTlsContext.builder(verification).settings(config.tls())
                .serverName(requirement.serverName());
        if (clientKeys != null) {
            context.keyManagers(clientKeys);
        }
        return context.build();
    }

    @Override
    public void close() {
        dns.close();
    }

    /**
     * What makes two connections' TLS contexts interchangeable: everything {@link #buildTlsContext}
     * reads from a requirement. The trust store and the protocols are the engine's own, the same
     * for every key. The host and port keep destinations apart even where their requirements look
     * alike ({@code encrypt} everywhere), so one destination's sessions live in its own context.
     */
    private static final class TlsContextKey {
        private final String host;
        private final int port;
        private final ConnectionRequirement.Kind kind;
        /** The TLSA records as a set: an RRset has no order, and DNS answers may rotate it. */
        private final Set<TlsaRecord> tlsaRecords;
        private final String tlsaBaseDomain;
        private final List<String> names;
        private final String serverName;
        private final boolean audit;

        TlsContextKey(ConnectionRequirement requirement, TlsaSet tlsa) {
            this.host = requirement.host();
            this.port = requirement.port();
            this.kind = requirement.kind();
            this.tlsaRecords = tlsa == null ? null : new HashSet<TlsaRecord>(tlsa.records());
            this.tlsaBaseDomain = tlsa == null ? null : tlsa.baseDomain();
            this.names = requirement.names();
            this.serverName = requirement.serverName();
            this.audit = requirement.match().policy().action() == PolicyAction.AUDIT;
        }

        @Override
        public boolean equals(Object other) {
            if (!(other instanceof TlsContextKey)) {
                return false;
            }
            TlsContextKey that = (TlsContextKey) other;
            return port == that.port && audit == that.audit && kind == that.kind && Objects.equals(host, that.host)
                    && Objects.equals(tlsaRecords, that.tlsaRecords) && Objects.equals(tlsaBaseDomain, that.tlsaBaseDomain)
                    && names.equals(that.names) && Objects.equals(serverName, that.serverName);
        }

        @Override
        public int hashCode() {
            return Objects.hash(host, port, kind, tlsaRecords, tlsaBaseDomain, names, serverName, audit);
        }
    }

    static final int MAX_DECISIONS = 10_000;

    /** A DANE decision and the DNS answers it was made from. */
    private static final class Decision {
        final ConnectionRequirement requirement;
        final List<DnsAnswer> basis;

        Decision(ConnectionRequirement requirement, List<DnsAnswer> basis) {
            this.requirement = requirement;
            this.basis = basis;
        }
    }

    /** What a DANE decision depends on besides DNS: the rule, the server, its port, and for an MX host how it was found. */
    private static final class DecisionKey {
        private final PolicyRule rule;
        private final String host;
        private final int port;
        private final String nextHop;
        private final String expandedNextHop;
        private final boolean mxSecure;

        DecisionKey(PolicyMatch match, String host, int port, MxHost mx) {
            this.rule = match.rule();
            this.host = host;
            this.port = port;
            this.nextHop = mx == null ? null : mx.destination();
            this.expandedNextHop = mx == null ? null : mx.expandedDestination();
            this.mxSecure = mx != null && mx.mxSecure();
        }

        @Override
        public boolean equals(Object other) {
            if (!(other instanceof DecisionKey)) {
                return false;
            }
            DecisionKey that = (DecisionKey) other;
            // Rules are compared by identity: an engine's policy table never changes.
            return rule == that.rule && port == that.port && mxSecure == that.mxSecure && host.equals(that.host)
                    && Objects.equals(nextHop, that.nextHop) && Objects.equals(expandedNextHop, that.expandedNextHop);
        }

        @Override
        public int hashCode() {
            return (host.hashCode() * 31 + port) * 31 + System.identityHashCode(rule);
        }
    }
}
