package dev.mailtls.policy;

/**
 * One entry of the policy table: which destinations it covers, the {@link DestinationPolicy} they
 * get, and where each part came from (for {@code config-check} and for log lines). Immutable.
 */
public final class PolicyRule {
    /** What a rule's pattern covers. */
    public enum Scope {
        /** One destination name ({@code mailtls.policy.example.com}). */
        EXACT,
        /** Every name below a parent domain, not the parent itself ({@code mailtls.policy.*.example.org}). */
        SUBDOMAINS,
        /** Every destination that no other rule covers ({@code mailtls.level}). */
        DEFAULT
    }

    private final Scope scope;
    private final String domain;
    private final DestinationPolicy policy;
    private final String policyOrigin;
    private final String actionOrigin;

    private PolicyRule(Scope scope, String domain, DestinationPolicy policy, String policyOrigin, String actionOrigin) {
        this.scope = scope;
        this.domain = domain;
        this.policy = policy;
        this.policyOrigin = policyOrigin;
        this.actionOrigin = actionOrigin;
    }

    /** A rule for exactly {@code name} (canonical form, see {@link DestinationName}). */
    public static PolicyRule exact(String name, DestinationPolicy policy, String policyOrigin, String actionOrigin) {
        return new PolicyRule(Scope.EXACT, name, policy, policyOrigin, actionOrigin);
    }

    /** A rule for every subdomain of {@code parent} (canonical form). */
    public static PolicyRule subdomainsOf(String parent, DestinationPolicy policy, String policyOrigin,
            String actionOrigin) {
        return new PolicyRule(Scope.SUBDOMAINS, parent, policy, policyOrigin, actionOrigin);
    }

    /** The rule for destinations no other rule covers. */
    public static PolicyRule byDefault(DestinationPolicy policy, String policyOrigin, String actionOrigin) {
        return new PolicyRule(Scope.DEFAULT, null, policy, policyOrigin, actionOrigin);
    }

    public Scope scope() {
        return scope;
    }

    /** The name (EXACT), the parent domain (SUBDOMAINS), or {@code null} (DEFAULT). */
    public String domain() {
        return domain;
    }

    /** The pattern as written in configuration: {@code example.com}, {@code *.example.org} or {@code *}. */
    public String pattern() {
        switch (scope) {
            case EXACT:
                return domain;
            case SUBDOMAINS:
                return "*." + domain;
            default:
                return "*";
        }
    }

    /** The configuration key that defines this rule. */
    public String key() {
        return scope == Scope.DEFAULT ? "mailtls.level" : "mailtls.policy." + pattern();
    }

    public DestinationPolicy policy() {
        return policy;
    }

    /** Where the level and its attributes came from, e.g. {@code /etc/mailtls.properties:12}. */
    public String policyOrigin() {
        return policyOrigin;
    }

    /** Where the action came from: the rule's own {@code action=}, {@code mailtls.action}, or the built-in default. */
    public String actionOrigin() {
        return actionOrigin;
    }

    @Override
    public String toString() {
        return key() + " = " + policy;
    }
}
