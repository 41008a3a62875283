package dev.mailtls.bench;

import dev.mailtls.policy.DestinationPolicy;
import dev.mailtls.policy.PolicyAction;
import dev.mailtls.policy.PolicyMatch;
import dev.mailtls.policy.PolicyRule;
import dev.mailtls.policy.PolicyTable;
import dev.mailtls.policy.TlsLevel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of the policy decision made for every SMTP connection: which rule applies to the
 * destination. {@code remembered*} is the steady state (the destination was seen before);
 * {@code firstLookup*} is a table without memory, the baseline the memory is measured against.
 * A table of 1,000 rules stands in for a large deployment.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PolicyDecisionBenchmark {
    private PolicyTable table;
    private String exactName;
    private String subdomainName;
    private String unlistedName;

    @Setup
    public void buildTable() {
        PolicyTable.Builder builder = PolicyTable.builder()
                .add(PolicyRule.byDefault(DestinationPolicy.dane(TlsLevel.ENCRYPT, PolicyAction.DEFER), "default", "default"));
        for (int i = 0; i < 500; i++) {
            builder.add(PolicyRule.exact("mx" + i + ".example.com",
                    DestinationPolicy.of(TlsLevel.DANE_ONLY, PolicyAction.DEFER), "bench", "bench"));
            builder.add(PolicyRule.subdomainsOf("partner" + i + ".example",
                    DestinationPolicy.of(TlsLevel.VERIFY, PolicyAction.REJECT), "bench", "bench"));
        }
        table = builder.build();
        // Fresh String objects, as an application passes them, not interned literals.
        exactName = new String("MX250.Example.com.");
        subdomainName = new String("smtp.eu.partner250.example");
        unlistedName = new String("mail.unlisted.example.net");
        table.match(exactName);
        table.match(subdomainName);
        table.match(unlistedName);
    }

    @Benchmark
    public PolicyMatch rememberedExact() {
        return table.match(exactName);
    }

    @Benchmark
    public PolicyMatch rememberedSubdomain() {
        return table.match(subdomainName);
    }

    @Benchmark
    public PolicyMatch rememberedDefault() {
        return table.match(unlistedName);
    }

    @Benchmark
    public PolicyMatch rememberedSubdomainFreshString() {
        // A new String per call, as when an application builds the host name each time: includes hashing it.
        return table.match(new String(subdomainName));
    }

    @Benchmark
    public Object firstLookupSubdomain() {
        // candidates() walks the same rules without memory: the price of a destination seen for the first time.
        return table.candidates(subdomainName);
    }
}
