package dev.mailtls.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which {@link DestinationPolicy} applies to which destination. An exact rule beats any
 * {@code *.parent} rule; among {@code *.parent} rules the longest parent wins; the default rule
 * covers everything else. Names are compared in {@link DestinationName canonical form}.
 *
 * <p>Immutable and thread-safe. {@link #match(String)} remembers its answers (up to
 * {@value #MAX_REMEMBERED} destinations) so that a repeated lookup is one hash-map read.
 */
public final class PolicyTable {
    static final int MAX_REMEMBERED = 10_000;

    private final PolicyRule defaultRule;
    private final Map<String, PolicyRule> exact;
    private final Map<String, PolicyRule> subdomainsOf;
    private final ConcurrentHashMap<String, PolicyMatch> remembered = new ConcurrentHashMap<>();

    private PolicyTable(Builder builder) {
        this.defaultRule = builder.defaultRule;
        this.exact = new HashMap<>(builder.exact);
        this.subdomainsOf = new HashMap<>(builder.subdomainsOf);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The rule that applies to {@code destination}, a host name (agent) or recipient domain (mailet)
     * as the application gave it: case, a trailing dot and Unicode labels do not matter.
     */
    public PolicyMatch match(String destination) {
        PolicyMatch known = remembered.get(destination);
        if (known != null) {
            return known;
        }
        PolicyMatch fresh = lookUp(DestinationName.lenient(destination));
        if (remembered.size() >= MAX_REMEMBERED) {
            // Destinations come from applications; a bound keeps a stream of unique names from growing memory.
            remembered.clear();
        }
        remembered.put(destination, fresh);
        return fresh;
    }

    /**
     * Every rule that covers {@code destination}, the applying one first, then the ones it beat
     * (shorter parents, and the default). For explaining a decision, not for the hot path.
     */
    public List<PolicyRule> candidates(String destination) {
        String name = DestinationName.lenient(destination);
        List<PolicyRule> rules = new ArrayList<>();
        PolicyRule exactRule = exact.get(name);
        if (exactRule != null) {
            rules.add(exactRule);
        }
        for (String parent = parentOf(name); parent != null; parent = parentOf(parent)) {
            PolicyRule rule = subdomainsOf.get(parent);
            if (rule != null) {
                rules.add(rule);
            }
        }
        rules.add(defaultRule);
        return rules;
    }

    /** All rules: exact and {@code *.parent} rules sorted by pattern, the default rule last. */
    public List<PolicyRule> rules() {
        List<PolicyRule> rules = new ArrayList<>(exact.values());
        rules.addAll(subdomainsOf.values());
        Collections.sort(rules, new Comparator<PolicyRule>() {
            @Override
            public int compare(PolicyRule a, PolicyRule b) {
                return a.pattern().compareTo(b.pattern());
            }
        });
        rules.add(defaultRule);
        return Collections.unmodifiableList(rules);
    }

    public PolicyRule defaultRule() {
        return defaultRule;
    }

    private PolicyMatch lookUp(String name) {
        PolicyRule rule = exact.get(name);
        if (rule != null) {
            return new PolicyMatch(name, rule);
        }
        for (String parent = parentOf(name); parent != null; parent = parentOf(parent)) {
            rule = subdomainsOf.get(parent);
            if (rule != null) {
                return new PolicyMatch(name, rule);
            }
        }
        return new PolicyMatch(name, defaultRule);
    }

    private static String parentOf(String name) {
        int dot = name.indexOf('.');
        return dot < 0 || dot == name.length() - 1 ? null : name.substring(dot + 1);
    }

    /** Collects rules; {@link #build()} needs the default rule. */
    public static final class Builder {
        private PolicyRule defaultRule;
        private final Map<String, PolicyRule> exact = new HashMap<>();
        private final Map<String, PolicyRule> subdomainsOf = new HashMap<>();

        private Builder() {
        }

        /** Adds a rule; a second rule with the same pattern replaces the first. */
        public Builder add(PolicyRule rule) {
            switch (rule.scope()) {
                case EXACT:
                    exact.put(rule.domain(), rule);
                    break;
                case SUBDOMAINS:
                    subdomainsOf.put(rule.domain(), rule);
                    break;
                default:
                    defaultRule = rule;
            }
            return this;
        }

        public PolicyTable build() {
            if (defaultRule == null) {
                throw new IllegalStateException("a policy table needs a default rule");
            }
            return new PolicyTable(this);
        }
    }
}
