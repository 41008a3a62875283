package dev.mailtls.config;

import dev.mailtls.dns.DnsSettings;
import dev.mailtls.dns.DnssecMode;
import dev.mailtls.policy.DestinationName;
import dev.mailtls.policy.DestinationPolicy;
import dev.mailtls.policy.PolicyAction;
import dev.mailtls.policy.PolicyRule;
import dev.mailtls.policy.PolicyTable;
import dev.mailtls.policy.TlsLevel;
import dev.mailtls.queue.QueueSettings;
import dev.mailtls.queue.RetrySchedule;
import dev.mailtls.tls.TlsSettings;
import dev.mailtls.tls.TrustStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Type;

/**
 * Reads a deployment's properties file, applies {@code -Dmailtls.*} system property overrides and
 * validates everything before any mail is sent. Every problem is collected and reported at once
 * in a {@link ConfigException} naming the file and line (or system property), the key, the value
 * and what is allowed. Nothing is logged here: the caller reports, once, with its own context.
 */
public final class ConfigLoader {
    public static final String LEVEL = "mailtls.level";
    public static final String ACTION = "mailtls.action";
    public static final String POLICY_PREFIX = "mailtls.policy.";
    public static final String DNS_SERVERS = "mailtls.dns.servers";
    public static final String DNS_DNSSEC = "mailtls.dns.dnssec";
    public static final String DNS_TRUST_ANCHORS = "mailtls.dns.trust-anchors";
    public static final String DNS_TIMEOUT = "mailtls.dns.timeout";
    public static final String TLS_PROTOCOLS = "mailtls.tls.protocols";
    public static final String TLS_TRUST_STORE = "mailtls.tls.trust-store";
    public static final String QUEUE_DIR = "mailtls.queue.dir";
    public static final String QUEUE_RETRY = "mailtls.queue.retry";
    public static final String QUEUE_MAX_AGE = "mailtls.queue.max-age";
    public static final String QUEUE_MAX_SIZE = "mailtls.queue.max-size";
    /** Names the configuration file; a system property only, never a key inside the file. */
    public static final String CONFIG_FILE_PROPERTY = "mailtls.config";

    static final List<String> GLOBAL_KEYS = Collections.unmodifiableList(Arrays.asList(
            LEVEL, ACTION, DNS_SERVERS, DNS_DNSSEC, DNS_TRUST_ANCHORS, DNS_TIMEOUT, TLS_PROTOCOLS, TLS_TRUST_STORE,
            QUEUE_DIR, QUEUE_RETRY, QUEUE_MAX_AGE, QUEUE_MAX_SIZE));

    static final String BUILT_IN = "built-in default";
    static final String DEFAULT_LEVEL = "dane fallback=encrypt";
    static final long DEFAULT_TIMEOUT_MILLIS = 5000;
    static final long MAX_TIMEOUT_MILLIS = 3_600_000;
    static final List<String> DEFAULT_PROTOCOLS = Collections.unmodifiableList(Arrays.asList("TLSv1.3", "TLSv1.2"));
    static final List<String> KNOWN_PROTOCOLS = Collections.unmodifiableList(Arrays.asList("TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1"));
    static final long MIN_QUEUE_MILLIS = 1000;
    static final long MAX_RETRY_MILLIS = 7 * 86_400_000L;
    static final long MAX_QUEUE_AGE_MILLIS = 365 * 86_400_000L;
    static final String ROOT_ANCHORS_SOURCE = "built-in IANA root KSK DS records (key tags 20326, 38696)";
    static final String ROOT_ANCHORS =
            ". 172800 IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"
            + ". 172800 IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16\n";

    private final Properties overrides;
    private final Supplier<List<InetSocketAddress>> systemResolvers;

    ConfigLoader(Properties overrides, Supplier<List<InetSocketAddress>> systemResolvers) {
        this.overrides = overrides;
        this.systemResolvers = systemResolvers;
    }

    /**
     * A loader whose overrides are this JVM's system properties and whose default DNS servers are
     * the name servers of {@code /etc/resolv.conf} (or the platform's equivalent).
     */
    public static ConfigLoader standard() {
        return new ConfigLoader(System.getProperties(), new Supplier<List<InetSocketAddress>>() {
            @Override
            public List<InetSocketAddress> get() {
                return ResolverConfig.getCurrentConfig().servers();
            }
        });
    }

    /** A loader with the given overrides (for tools and tests) and the system's DNS servers. */
    public static ConfigLoader withOverrides(Properties overrides) {
        return new ConfigLoader(overrides, standard().systemResolvers);
    }

    /** Loads {@code file} with overrides applied. */
    public MailTlsConfig load(Path file) throws ConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        Map<String, ConfigEntry> entries = PropertiesFileReader.read(file, problems);
        return build(file.toString(), entries, problems);
    }

    /** The built-in defaults with overrides applied, for a deployment without a file. */
    public MailTlsConfig loadWithoutFile() throws ConfigException {
        return build("built-in defaults", new LinkedHashMap<String, ConfigEntry>(), new ArrayList<ConfigProblem>());
    }

    private MailTlsConfig build(String source, Map<String, ConfigEntry> fileEntries, List<ConfigProblem> problems)
            throws ConfigException {
        Map<String, ConfigEntry> entries = new LinkedHashMap<>();
        for (ConfigEntry entry : fileEntries.values()) {
            if (entry.key.equals(CONFIG_FILE_PROPERTY)) {
                problems.add(entry.problem("names the configuration file itself, so it belongs on the command line"
                        + " (-Dmailtls.config=FILE or the agent argument config=FILE), not inside the file"));
            } else if (checkKnown(entry, problems)) {
                entries.put(entry.key, entry);
            }
        }
        for (String name : overrides.stringPropertyNames()) {
            if (name.startsWith("mailtls.") && !name.equals(CONFIG_FILE_PROPERTY)) {
                ConfigEntry entry = new ConfigEntry(name, overrides.getProperty(name).trim(), "system property -D" + name, null);
                if (checkKnown(entry, problems)) {
                    entries.put(name, entry);
                }
            }
        }

        List<Setting> settings = new ArrayList<>();
        PolicyTable policies = policies(entries, settings, problems);
        DnsSettings dns = dns(entries, settings, problems);
        TlsSettings tls = tls(entries, settings, problems);
        QueueSettings queue = queue(entries, settings, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new MailTlsConfig(source, policies, dns, tls, queue, settings);
    }

    private static boolean checkKnown(ConfigEntry entry, List<ConfigProblem> problems) {
        if (GLOBAL_KEYS.contains(entry.key) || entry.key.startsWith(POLICY_PREFIX)) {
            return true;
        }
        String suggestion = closestKey(entry.key);
        problems.add(entry.problem("unknown key" + (suggestion == null ? "" : " (did you mean " + suggestion + "?)")
                + "; known keys: " + String.join(", ", GLOBAL_KEYS) + ", " + POLICY_PREFIX + "DESTINATION"));
        return false;
    }

    private static PolicyTable policies(Map<String, ConfigEntry> entries, List<Setting> settings,
            List<ConfigProblem> problems) {
        PolicyAction defaultAction = PolicyAction.DEFER;
        String actionOrigin = BUILT_IN;
        ConfigEntry actionEntry = entries.get(ACTION);
        if (actionEntry != null) {
            PolicyAction action = PolicyAction.forConfigName(actionEntry.value);
            if (action == null) {
                problems.add(actionEntry.problem("unknown action; allowed: " + PolicyAction.allConfigNames()));
            } else {
                defaultAction = action;
                actionOrigin = ACTION + " (" + actionEntry.origin + ")";
            }
        }

        ConfigEntry levelEntry = entries.get(LEVEL);
        ConfigEntry defaultEntry = levelEntry != null ? levelEntry : new ConfigEntry(LEVEL, DEFAULT_LEVEL, BUILT_IN, null);
        PolicySyntax.Parsed defaultLevel = PolicySyntax.parse(defaultEntry, false, problems);
        if (defaultLevel == null) {
            defaultLevel = PolicySyntax.parse(new ConfigEntry(LEVEL, DEFAULT_LEVEL, BUILT_IN, null), false, problems);
        }
        PolicyTable.Builder table = PolicyTable.builder();
        PolicyRule defaultRule = PolicyRule.byDefault(defaultLevel.policy(defaultAction), defaultEntry.origin, actionOrigin);
        table.add(defaultRule);
        settings.add(new Setting(LEVEL, withoutAction(defaultRule.policy()), defaultEntry.origin));
        settings.add(new Setting(ACTION, defaultAction.configName(), actionEntry == null ? BUILT_IN : actionEntry.origin));

        Map<String, ConfigEntry> seen = new HashMap<>();
        for (ConfigEntry entry : entries.values()) {
            if (!entry.key.startsWith(POLICY_PREFIX)) {
                continue;
            }
            String pattern = entry.key.substring(POLICY_PREFIX.length());
            boolean subdomains = pattern.startsWith("*.");
            String name = subdomains ? pattern.substring(2) : pattern;
            String canonical;
            if (pattern.equals("*") || pattern.isEmpty()) {
                problems.add(entry.problem("is not a destination; set the default for all destinations with " + LEVEL));
                continue;
            } else if (name.indexOf('*') >= 0) {
                problems.add(entry.problem("a wildcard is allowed only as the whole first label, as in "
                        + POLICY_PREFIX + "*.example.org (any subdomain of example.org)"));
                continue;
            }
            try {
                canonical = DestinationName.canonical(name);
            } catch (IllegalArgumentException invalid) {
                problems.add(entry.problem("\"" + name + "\" is not a valid destination name: " + invalid.getMessage()));
                continue;
            }
            String canonicalPattern = (subdomains ? "*." : "") + canonical;
            ConfigEntry earlier = seen.put(canonicalPattern, entry);
            if (earlier != null) {
                problems.add(entry.problem("the same destination as " + earlier.key + " (" + earlier.origin
                        + "): names are compared case-insensitively, without trailing dot, in punycode; keep one"));
                continue;
            }
            PolicySyntax.Parsed parsed = PolicySyntax.parse(entry, true, problems);
            if (parsed == null) {
                continue;
            }
            DestinationPolicy policy = parsed.policy(defaultAction);
            String ruleActionOrigin = parsed.action != null ? entry.origin : actionOrigin;
            table.add(subdomains ? PolicyRule.subdomainsOf(canonical, policy, entry.origin, ruleActionOrigin)
                    : PolicyRule.exact(canonical, policy, entry.origin, ruleActionOrigin));
        }
        return table.build();
    }

    private static String withoutAction(DestinationPolicy policy) {
        return policy.level().configName()
                + (policy.daneFallback() == null ? "" : " fallback=" + policy.daneFallback().configName());
    }

    private DnsSettings dns(Map<String, ConfigEntry> entries, List<Setting> settings, List<ConfigProblem> problems) {
        int before = problems.size();
        ConfigEntry serversEntry = entries.get(DNS_SERVERS);
        List<InetSocketAddress> servers = new ArrayList<>();
        String serversOrigin;
        if (serversEntry != null) {
            serversOrigin = serversEntry.origin;
            for (String part : serversEntry.value.split(",")) {
                if (part.trim().isEmpty()) {
                    problems.add(serversEntry.problem("empty server in the list; write a comma-separated list of "
                            + ServerAddressSyntax.FORMAT));
                    continue;
                }
                try {
                    servers.add(ServerAddressSyntax.parse(part));
                } catch (IllegalArgumentException invalid) {
                    problems.add(serversEntry.problem(invalid.getMessage()));
                }
            }
        } else {
            serversOrigin = BUILT_IN + " (name servers of /etc/resolv.conf)";
            servers.addAll(systemResolvers.get());
            if (servers.isEmpty()) {
                problems.add(new ConfigProblem(BUILT_IN, DNS_SERVERS, null,
                        "no name servers found in /etc/resolv.conf; set " + DNS_SERVERS));
            }
        }

        DnssecMode mode = DnssecMode.VALIDATE;
        ConfigEntry modeEntry = entries.get(DNS_DNSSEC);
        if (modeEntry != null) {
            mode = DnssecMode.forConfigName(modeEntry.value);
            if (mode == null) {
                problems.add(modeEntry.problem("unknown DNSSEC mode; allowed: validate (check signatures here, works with"
                        + " any resolver), trust-ad (trust the AD bit of a validating resolver on loopback)"));
                mode = DnssecMode.VALIDATE;
            }
        }
        if (mode == DnssecMode.TRUST_AD) {
            for (InetSocketAddress server : servers) {
                if (!server.getAddress().isLoopbackAddress()) {
                    ConfigEntry culprit = serversEntry != null ? serversEntry : modeEntry;
                    problems.add(culprit.problem("trust-ad needs DNS servers on a loopback address, but "
                            + ServerAddressSyntax.format(server) + " (" + serversOrigin + ") is not: the AD bit crosses"
                            + " the network unsigned, so anyone on the path could forge it. Use "
                            + DNS_DNSSEC + " = validate, or run a validating resolver (e.g. Unbound) on 127.0.0.1"));
                }
            }
        }

        String anchors = ROOT_ANCHORS;
        String anchorsSource = ROOT_ANCHORS_SOURCE;
        ConfigEntry anchorsEntry = entries.get(DNS_TRUST_ANCHORS);
        if (anchorsEntry != null) {
            anchorsSource = anchorsEntry.path().toString();
            anchors = readTrustAnchors(anchorsEntry, problems);
        }

        long timeout = DEFAULT_TIMEOUT_MILLIS;
        ConfigEntry timeoutEntry = entries.get(DNS_TIMEOUT);
        if (timeoutEntry != null) {
            timeout = duration(timeoutEntry, 1, MAX_TIMEOUT_MILLIS, problems);
        }

        List<String> serverTexts = new ArrayList<>();
        for (InetSocketAddress server : servers) {
            serverTexts.add(ServerAddressSyntax.format(server));
        }
        settings.add(new Setting(DNS_SERVERS, String.join(",", serverTexts), serversOrigin));
        settings.add(new Setting(DNS_DNSSEC, mode.configName(), originOf(modeEntry)));
        settings.add(new Setting(DNS_TRUST_ANCHORS, anchorsSource, originOf(anchorsEntry)));
        settings.add(new Setting(DNS_TIMEOUT, DurationSyntax.format(timeout), originOf(timeoutEntry)));
        return problems.size() == before ? new DnsSettings(servers, mode, anchors, anchorsSource, timeout) : null;
    }

    /** The anchors file's text, checked to hold DS or DNSKEY records only; {@code null} after a problem. */
    private static String readTrustAnchors(ConfigEntry entry, List<ConfigProblem> problems) {
        Path file = entry.path();
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException unreadable) {
            problems.add(entry.problem("cannot read the trust anchor file (" + unreadable.getClass().getSimpleName()
                    + "); check the path and its permissions"));
            return null;
        }
        int anchors = 0;
        try (Master parser = new Master(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), Name.root)) {
            for (Record record = parser.nextRecord(); record != null; record = parser.nextRecord()) {
                if (record.getType() != Type.DS && record.getType() != Type.DNSKEY) {
                    problems.add(entry.problem("holds a " + Type.string(record.getType()) + " record for "
                            + record.getName() + "; a trust anchor file holds only DS or DNSKEY records"));
                    return null;
                }
                anchors++;
            }
        } catch (IOException | RuntimeException malformed) {
            problems.add(entry.problem("is not a zone file of DS or DNSKEY records: " + malformed.getMessage()));
            return null;
        }
        if (anchors == 0) {
            problems.add(entry.problem("holds no DS or DNSKEY record; write records like"
                    + " \"example. 3600 IN DS 12345 13 2 <hex>\" (zone-file format)"));
            return null;
        }
        return text;
    }

    private static TlsSettings tls(Map<String, ConfigEntry> entries, List<Setting> settings, List<ConfigProblem> problems) {
        int before = problems.size();
        List<String> protocols = DEFAULT_PROTOCOLS;
        ConfigEntry protocolsEntry = entries.get(TLS_PROTOCOLS);
        if (protocolsEntry != null) {
            protocols = new ArrayList<>();
            for (String part : protocolsEntry.value.split(",")) {
                String protocol = canonicalProtocol(part.trim());
                if (protocol == null) {
                    problems.add(protocolsEntry.problem("unknown protocol \"" + part.trim() + "\"; allowed: "
                            + String.join(", ", KNOWN_PROTOCOLS) + " (TLSv1.1 and TLSv1 only when listed explicitly;"
                            + " they are obsolete, RFC 8996)"));
                } else if (protocols.contains(protocol)) {
                    problems.add(protocolsEntry.problem(protocol + " is listed twice"));
                } else {
                    protocols.add(protocol);
                }
            }
        }
        String trustStorePath = null;
        TrustStore trustStore = null;
        ConfigEntry trustStoreEntry = entries.get(TLS_TRUST_STORE);
        if (trustStoreEntry != null) {
            Path path = trustStoreEntry.path();
            trustStorePath = path.toString();
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                problems.add(trustStoreEntry.problem("is not a readable file; give a PEM bundle of CA certificates"
                        + " or a PKCS12/JKS key store, or remove the key to use the JDK's trust store"));
            } else {
                try {
                    // Read now, so that a broken trust store is a start-up error, not a failure of the first verify connection.
                    trustStore = TrustStore.load(path, null);
                } catch (IOException | RuntimeException unusable) {
                    problems.add(trustStoreEntry.problem(unusable.getMessage()));
                }
            }
        }
        settings.add(new Setting(TLS_PROTOCOLS, String.join(",", protocols), originOf(protocolsEntry)));
        settings.add(new Setting(TLS_TRUST_STORE, trustStorePath == null ? "the JDK's default trust store" : trustStorePath,
                originOf(trustStoreEntry)));
        return problems.size() == before ? new TlsSettings(protocols, trustStorePath, trustStore) : null;
    }

    /** The queue settings, or {@code null} without {@code mailtls.queue.dir} (then a deferral is a 4.7.x failure). */
    private static QueueSettings queue(Map<String, ConfigEntry> entries, List<Setting> settings, List<ConfigProblem> problems) {
        ConfigEntry dirEntry = entries.get(QUEUE_DIR);
        ConfigEntry retryEntry = entries.get(QUEUE_RETRY);
        ConfigEntry maxAgeEntry = entries.get(QUEUE_MAX_AGE);
        ConfigEntry maxSizeEntry = entries.get(QUEUE_MAX_SIZE);

        RetrySchedule retry = RetrySchedule.DEFAULT;
        if (retryEntry != null) {
            List<Duration> intervals = new ArrayList<>();
            for (String part : retryEntry.value.split(",", -1)) {
                intervals.add(Duration.ofMillis(duration(retryEntry, part.trim(), MIN_QUEUE_MILLIS, MAX_RETRY_MILLIS, problems)));
            }
            if (!intervals.isEmpty()) {
                retry = RetrySchedule.of(intervals);
            }
        }
        Duration maxAge = QueueSettings.DEFAULT_MAX_AGE;
        if (maxAgeEntry != null) {
            maxAge = Duration.ofMillis(duration(maxAgeEntry, MIN_QUEUE_MILLIS, MAX_QUEUE_AGE_MILLIS, problems));
        }
        long maxBytes = QueueSettings.DEFAULT_MAX_BYTES;
        int maxMessages = QueueSettings.DEFAULT_MAX_MESSAGES;
        if (maxSizeEntry != null) {
            try {
                SizeSyntax.Limit limit = SizeSyntax.parse(maxSizeEntry.value);
                maxBytes = limit.bytes;
                maxMessages = limit.messages;
            } catch (IllegalArgumentException malformed) {
                problems.add(maxSizeEntry.problem(malformed.getMessage()));
            }
        }
        if (dirEntry == null) {
            for (ConfigEntry orphan : new ConfigEntry[] {retryEntry, maxAgeEntry, maxSizeEntry}) {
                if (orphan != null) {
                    problems.add(orphan.problem("has no effect without " + QUEUE_DIR + "; set the queue directory to"
                            + " queue deferred mail, or remove this key"));
                }
            }
        }
        Path directory = dirEntry == null ? null : dirEntry.path();
        settings.add(new Setting(QUEUE_DIR, directory == null ? "none: a deferred message is a temporary (4.7.x) failure"
                + " to the application" : directory.toString(), originOf(dirEntry)));
        settings.add(new Setting(QUEUE_RETRY, retry.toString(), originOf(retryEntry)));
        settings.add(new Setting(QUEUE_MAX_AGE, DurationSyntax.format(maxAge.toMillis()), originOf(maxAgeEntry)));
        settings.add(new Setting(QUEUE_MAX_SIZE, SizeSyntax.format(maxBytes, maxMessages), originOf(maxSizeEntry)));
        if (directory == null) {
            return null;
        }
        return QueueSettings.builder(directory).retry(retry).maxAge(maxAge).maxBytes(maxBytes).maxMessages(maxMessages)
                .build();
    }

    private static String canonicalProtocol(String text) {
        for (String known : KNOWN_PROTOCOLS) {
            if (known.equalsIgnoreCase(text)) {
                return known;
            }
        }
        return null;
    }

    private static long duration(ConfigEntry entry, long min, long max, List<ConfigProblem> problems) {
        return duration(entry, entry.value, min, max, problems);
    }

    /** {@code text} (the entry's value, or one item of it) as milliseconds in range; {@code min} after a problem. */
    private static long duration(ConfigEntry entry, String text, long min, long max, List<ConfigProblem> problems) {
        try {
            long millis = DurationSyntax.parseMillis(text);
            if (millis >= min && millis <= max) {
                return millis;
            }
            problems.add(entry.problem((text.equals(entry.value) ? "" : "\"" + text + "\" is ") + "out of range; allowed: "
                    + DurationSyntax.format(min) + " to " + DurationSyntax.format(max)));
        } catch (IllegalArgumentException malformed) {
            problems.add(entry.problem(text.equals(entry.value) ? malformed.getMessage()
                    : "\"" + text + "\" is " + malformed.getMessage() + "; write a comma-separated list such as "
                    + RetrySchedule.DEFAULT + " (the last interval repeats)"));
        }
        return min;
    }

    private static String originOf(ConfigEntry entry) {
        return entry == null ? BUILT_IN : entry.origin;
    }

    /** The known key closest to a mistyped one (edit distance at most 3), or {@code null}. */
    private static String closestKey(String key) {
        String best = null;
        int bestDistance = 4;
        String lower = key.toLowerCase(Locale.ROOT);
        for (String known : GLOBAL_KEYS) {
            int distance = editDistance(lower, known);
            if (distance < bestDistance) {
                best = known;
                bestDistance = distance;
            }
        }
        if (best == null && lower.startsWith("mailtls.polic")) {
            return POLICY_PREFIX + "DESTINATION";
        }
        return best;
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
