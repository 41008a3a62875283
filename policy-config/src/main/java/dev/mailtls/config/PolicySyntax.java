package dev.mailtls.config;

import dev.mailtls.policy.DestinationPolicy;
import dev.mailtls.policy.PolicyAction;
import dev.mailtls.policy.TlsLevel;
import java.util.List;

/**
 * The grammar of a policy value, Postfix style: a level followed by {@code name=value} attributes,
 * e.g. {@code dane fallback=encrypt action=reject}. Attributes: {@code fallback=} (level
 * {@code dane} only) and {@code action=} (per-destination rules only).
 */
final class PolicySyntax {
    /** What a parsed value says, before the defaults of the deployment are applied. */
    static final class Parsed {
        final TlsLevel level;
        final TlsLevel fallback;
        final PolicyAction action;

        Parsed(TlsLevel level, TlsLevel fallback, PolicyAction action) {
            this.level = level;
            this.fallback = fallback;
            this.action = action;
        }

        /** The policy, with {@code defaultAction} where the value names none. */
        DestinationPolicy policy(PolicyAction defaultAction) {
            PolicyAction effective = action == null ? defaultAction : action;
            if (level == TlsLevel.DANE) {
                // Postfix's dane falls back to "may" without usable TLSA records.
                return DestinationPolicy.dane(fallback == null ? TlsLevel.MAY : fallback, effective);
            }
            return DestinationPolicy.of(level, effective);
        }
    }

    private PolicySyntax() {
    }

    /**
     * Parses {@code entry.value}; returns {@code null} after adding problems when it is not valid.
     *
     * @param actionAllowed whether {@code action=} may appear (not in {@code mailtls.level}, whose
     *     action is {@code mailtls.action})
     */
    static Parsed parse(ConfigEntry entry, boolean actionAllowed, List<ConfigProblem> problems) {
        String[] words = entry.value.trim().split("\\s+");
        if (words[0].isEmpty()) {
            problems.add(entry.problem("empty policy; write a level (" + TlsLevel.allConfigNames()
                    + "), optionally followed by attributes"));
            return null;
        }
        TlsLevel level = TlsLevel.forConfigName(words[0]);
        if (level == null) {
            String hint = words[0].equalsIgnoreCase("fingerprint")
                    ? " (Postfix's fingerprint level is not supported; publish a DANE-EE TLSA record and use dane-only)"
                    : "";
            problems.add(entry.problem("unknown level \"" + words[0] + "\"" + hint + "; allowed: " + TlsLevel.allConfigNames()));
            return null;
        }
        TlsLevel fallback = null;
        PolicyAction action = null;
        int before = problems.size();
        for (int i = 1; i < words.length; i++) {
            String word = words[i];
            int equals = word.indexOf('=');
            String name = equals < 0 ? word : word.substring(0, equals).toLowerCase(java.util.Locale.ROOT);
            String value = equals < 0 ? null : word.substring(equals + 1);
            if (equals < 0 || value.isEmpty()) {
                problems.add(entry.problem("\"" + word + "\" is not an attribute; attributes are written name=value, "
                        + allowedAttributes(level, actionAllowed)));
            } else if (name.equals("fallback")) {
                if (level != TlsLevel.DANE) {
                    problems.add(entry.problem("fallback= applies only to level dane, not " + level
                            + " (dane-only has no fallback: it refuses destinations without usable TLSA records)"));
                } else if (fallback != null) {
                    problems.add(entry.problem("fallback= is given twice; keep one"));
                } else {
                    fallback = TlsLevel.forConfigName(value);
                    if (fallback == null || !DestinationPolicy.isAllowedDaneFallback(fallback)) {
                        problems.add(entry.problem("fallback=" + value + " is not allowed; allowed: "
                                + DestinationPolicy.ALLOWED_DANE_FALLBACKS));
                        fallback = null;
                    }
                }
            } else if (name.equals("action")) {
                if (!actionAllowed) {
                    problems.add(entry.problem("action= does not belong here; set the default action with mailtls.action"));
                } else if (level == TlsLevel.NONE || level == TlsLevel.MAY) {
                    problems.add(entry.problem("action= has no effect at level " + level
                            + ", which never refuses a connection; remove it or choose a stricter level"));
                } else if (action != null) {
                    problems.add(entry.problem("action= is given twice; keep one"));
                } else {
                    action = PolicyAction.forConfigName(value);
                    if (action == null) {
                        problems.add(entry.problem("action=" + value + " is not allowed; allowed: "
                                + PolicyAction.allConfigNames()));
                    }
                }
            } else {
                problems.add(entry.problem("unknown attribute \"" + name + "\"; " + allowedAttributes(level, actionAllowed)));
            }
        }
        return problems.size() == before ? new Parsed(level, fallback, action) : null;
    }

    private static String allowedAttributes(TlsLevel level, boolean actionAllowed) {
        String fallback = level == TlsLevel.DANE ? "fallback=" + DestinationPolicy.ALLOWED_DANE_FALLBACKS.replace(", ", "|") : null;
        String action = actionAllowed && level != TlsLevel.NONE && level != TlsLevel.MAY ? "action=defer|reject|audit" : null;
        if (fallback == null && action == null) {
            return "level " + level + " takes no attributes here";
        }
        return "allowed for " + level + ": " + (fallback == null ? action : action == null ? fallback : fallback + ", " + action);
    }
}
