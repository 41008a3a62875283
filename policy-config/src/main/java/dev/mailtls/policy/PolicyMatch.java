package dev.mailtls.policy;

/**
 * The result of looking a destination up in a {@link PolicyTable}: the destination in canonical
 * form, the rule that applies and why it, of all rules, applies. Immutable.
 */
public final class PolicyMatch {
    private final String destination;
    private final PolicyRule rule;

    PolicyMatch(String destination, PolicyRule rule) {
        this.destination = destination;
        this.rule = rule;
    }

    /** The destination in canonical form (see {@link DestinationName}). */
    public String destination() {
        return destination;
    }

    public PolicyRule rule() {
        return rule;
    }

    /** Shortcut for {@code rule().policy()}. */
    public DestinationPolicy policy() {
        return rule.policy();
    }

    /** One sentence: why this rule applies, e.g. "longest matching parent *.example.org". */
    public String reason() {
        switch (rule.scope()) {
            case EXACT:
                return "exact match " + rule.pattern();
            case SUBDOMAINS:
                return "no exact rule; longest matching parent " + rule.pattern();
            default:
                return "no rule matches " + destination + "; default level";
        }
    }

    @Override
    public String toString() {
        return destination + ": " + rule.policy() + " (" + reason() + ")";
    }
}
