package dev.mailtls.engine;

import dev.mailtls.dns.TlsaOutcome;
import dev.mailtls.policy.DestinationPolicy;
import dev.mailtls.policy.PolicyAction;
import dev.mailtls.policy.PolicyRule;
import dev.mailtls.policy.PolicyTable;
import dev.mailtls.policy.TlsLevel;
import java.util.List;

/** Connection requirements made without DNS, for tests of what the front ends build from them. */
final class EngineTestRequirements {
    private EngineTestRequirements() {
    }

    /** The requirement for mx.example.com:25 under {@code level}/{@code action} (rule mailtls.level of /etc/mailtls.properties:3). */
    static ConnectionRequirement requirement(TlsLevel level, PolicyAction action, ConnectionRequirement.Kind kind,
            TlsaOutcome tlsa) {
        PolicyRule rule = PolicyRule.byDefault(DestinationPolicy.of(level, action), "/etc/mailtls.properties:3",
                "/etc/mailtls.properties:4");
        return new ConnectionRequirement(PolicyTable.builder().add(rule).build().match("example.com"), "mx.example.com", 25,
                kind, List.of("mx.example.com"), "mx.example.com", tlsa, "test");
    }
}
