package dev.mailtls.bench;

import dev.mailtls.config.ConfigLoader;
import dev.mailtls.config.MailTlsConfig;
import dev.mailtls.dns.DestinationResolver;
import dev.mailtls.dns.DnsAnswer;
import dev.mailtls.dns.DnssecResolver;
import dev.mailtls.dns.HostLookup;
import dev.mailtls.engine.ConnectionRequirement;
import dev.mailtls.engine.PolicyEngine;
import dev.mailtls.policy.PolicyMatch;
import dev.mailtls.testing.FakeDnsServer;
import dev.mailtls.testing.SignedTestZone;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The decision the agent makes before every SMTP connection to a {@code dane-only} destination
 * whose DNS answers are already cached: {@code PolicyEngine.forHost(match, host, 25)}, with the
 * rule already found. Budget: 1 µs. No packet is sent while measuring: the answers (A, AAAA,
 * TLSA) come from the engine's cache, filled at set-up from the in-process fake DNS server with a
 * signed zone, validated ({@code validate} mode) from the zone's trust anchor. Every answer has a
 * TTL of 300 s, longer than any run here.
 *
 * <p>The other methods split {@link #decision()} into its parts, to see where the time goes:
 * {@link #hostLookup()} is the DNS half (three cache hits and the TLSA outcome),
 * {@link #cachedAnswer()} one cache hit, {@link #cachedAnswerAsync()} the same without the
 * {@code Future.get} with timeout, {@link #parseName()} turning the host name into a DNS name, and
 * {@link #nameText()} turning a DNS name back into text, which the lookup does several times.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CachedDaneDecisionBenchmark {
    /** A SHA2-256 digest: the data of a usable {@code 3 1 1} record. */
    private static final String DIGEST = "8ccf4ba33b4ca4dc2e4de77cd7b5e3cde2b83ef6bf5b6de57e0f5e9ef2c8f1a0";
    private static final String HOST = "mx.dane.test";

    private FakeDnsServer server;
    private Path anchorFile;
    private PolicyEngine engine;
    private DestinationResolver destinations;
    private DnssecResolver resolver;
    private PolicyMatch match;
    private String host;
    private Name hostName;
    private Name tlsaName;

    @Setup
    public void warmEngine() throws Exception {
        SignedTestZone zone = SignedTestZone.builder("test.")
                .records(
                        HOST + ". 300 IN A 127.0.0.2",
                        HOST + ". 300 IN AAAA ::2",
                        "_25._tcp." + HOST + ". 300 IN TLSA 3 1 1 " + DIGEST)
                .build();
        server = FakeDnsServer.start(zone.responder());
        anchorFile = Files.createTempFile("bench-anchor", ".ds");
        Files.write(anchorFile, zone.trustAnchor().getBytes(StandardCharsets.US_ASCII));
        Properties properties = new Properties();
        properties.setProperty(ConfigLoader.DNS_SERVERS, "127.0.0.1:" + server.address().getPort());
        properties.setProperty(ConfigLoader.DNS_DNSSEC, "validate");
        properties.setProperty(ConfigLoader.DNS_TRUST_ANCHORS, anchorFile.toString());
        properties.setProperty(ConfigLoader.POLICY_PREFIX + HOST, "dane-only");
        MailTlsConfig config = ConfigLoader.withOverrides(properties).loadWithoutFile();
        engine = PolicyEngine.create(config);
        destinations = engine.destinations();
        resolver = DnssecResolver.create(config.dns());
        // A String as an application passes it, not an interned literal.
        host = new String(HOST);
        match = engine.match(host);
        hostName = Name.fromString(HOST, Name.root);
        tlsaName = Name.fromString("_25._tcp." + HOST, Name.root);
        ConnectionRequirement warm = engine.forHost(match, host, 25);
        DnsAnswer answer = resolver.lookup(tlsaName, Type.TLSA);
        resolver.lookup(hostName, Type.A);
        if (warm.kind() != ConnectionRequirement.Kind.DANE || !warm.serverName().equals(HOST)
                || answer.records().size() != 1) {
            throw new IllegalStateException("benchmark set-up does not decide as intended: " + warm + "; " + answer);
        }
    }

    @TearDown
    public void stop() throws Exception {
        engine.close();
        resolver.close();
        server.close();
        Files.deleteIfExists(anchorFile);
    }

    /** The whole cached decision for a dane-only destination (target: at most 1 µs). */
    @Benchmark
    public ConnectionRequirement decision() {
        return engine.forHost(match, host, 25);
    }

    /** The DNS half of {@link #decision()}: A, AAAA and TLSA from the cache, and the TLSA outcome. */
    @Benchmark
    public HostLookup hostLookup() {
        return destinations.lookupHost(host, 25);
    }

    /** One answer from the cache, as {@code DnssecResolver.lookup} gives it (with the timed wait). */
    @Benchmark
    public DnsAnswer cachedAnswer() {
        return resolver.lookup(tlsaName, Type.TLSA);
    }

    /** One answer from the cache, the future only: the cache map and {@code thenApply}. */
    @Benchmark
    public CompletableFuture<DnsAnswer> cachedAnswerAsync() {
        return resolver.lookupAsync(tlsaName, Type.TLSA);
    }

    /** The host name as a DNS name, as every lookup starts. */
    @Benchmark
    public Name parseName() throws TextParseException {
        return Name.fromString(host, Name.root);
    }

    /** A DNS name as text (lower case, no final dot), as the lookup does for each name it reports. */
    @Benchmark
    public String nameText() {
        return tlsaName.toString(true).toLowerCase(java.util.Locale.ROOT);
    }
}
