package dev.mailtls.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PolicyTableTest {
    private static final DestinationPolicy DEFAULT = DestinationPolicy.dane(TlsLevel.ENCRYPT, PolicyAction.DEFER);
    private static final DestinationPolicy VERIFY = DestinationPolicy.of(TlsLevel.VERIFY, PolicyAction.DEFER);
    private static final DestinationPolicy SECURE = DestinationPolicy.of(TlsLevel.SECURE, PolicyAction.REJECT);

    private final PolicyTable table = PolicyTable.builder()
            .add(PolicyRule.byDefault(DEFAULT, "built-in default", "built-in default"))
            .add(PolicyRule.subdomainsOf("example.org", VERIFY, "f:1", "f:1"))
            .add(PolicyRule.subdomainsOf("eu.example.org", SECURE, "f:2", "f:2"))
            .add(PolicyRule.exact("example.org", SECURE, "f:3", "f:3"))
            .build();

    @Test
    void reasonSaysWhichKindOfRuleApplied() {
        assertThat(table.match("example.org").reason()).isEqualTo("exact match example.org");
        assertThat(table.match("mx.eu.example.org").reason()).isEqualTo("no exact rule; longest matching parent *.eu.example.org");
        assertThat(table.match("example.net").reason()).isEqualTo("no rule matches example.net; default level");
    }

    @Test
    void candidatesListTheWinnerFirstThenWhatItBeat() {
        assertThat(table.candidates("mx.eu.example.org")).extracting(PolicyRule::pattern)
                .containsExactly("*.eu.example.org", "*.example.org", "*");
    }

    @Test
    void repeatedLookupIsAnsweredFromMemory() {
        assertThat(table.match("MX.eu.example.org.")).isSameAs(table.match("MX.eu.example.org."));
        assertThat(table.match("MX.eu.example.org.").destination()).isEqualTo("mx.eu.example.org");
    }

    @Test
    void manyDistinctDestinationsDoNotGrowMemoryWithoutBound() {
        for (int i = 0; i < PolicyTable.MAX_REMEMBERED * 2; i++) {
            assertThat(table.match("host" + i + ".example.net").policy()).isEqualTo(DEFAULT);
        }
        assertThat(table.match("mx.example.org").policy()).isEqualTo(VERIFY);
    }

    @Test
    void nameThatIsNotAHostNameGetsTheDefault() {
        assertThat(table.match("bad name!").policy()).isEqualTo(DEFAULT);
        assertThat(table.match("").policy()).isEqualTo(DEFAULT);
        assertThat(table.match(".").policy()).isEqualTo(DEFAULT);
    }

    @Test
    void rulesAreListedByPatternWithTheDefaultLast() {
        assertThat(table.rules()).extracting(PolicyRule::pattern)
                .containsExactly("*.eu.example.org", "*.example.org", "example.org", "*");
    }

    @Test
    void tableWithoutDefaultRuleCannotBeBuilt() {
        assertThatThrownBy(() -> PolicyTable.builder().build()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void policyPrintsInConfigurationSyntax() {
        assertThat(DEFAULT).hasToString("dane fallback=encrypt action=defer");
        assertThat(SECURE).hasToString("secure action=reject");
    }
}
