package dev.mailtls.policy;

import java.util.Locale;

/**
 * What happens to a connection that does not meet its destination's policy.
 *
 * <ul>
 *   <li>{@link #DEFER}: a temporary failure (SMTP 4.7.x); the message is queued and retried.
 *       The safe default: an attack or a TLSA roll-over in progress delays mail, it loses none.</li>
 *   <li>{@link #REJECT}: a permanent failure (SMTP 5.7.x); the message bounces at once.</li>
 *   <li>{@link #AUDIT}: the connection proceeds with the best security available and the violation
 *       is logged loudly. For trying a policy out before enforcing it; it protects nothing.</li>
 * </ul>
 */
public enum PolicyAction {
    DEFER("defer"),
    REJECT("reject"),
    AUDIT("audit");

    private final String configName;

    PolicyAction(String configName) {
        this.configName = configName;
    }

    /** The name used in configuration files and log lines. */
    public String configName() {
        return configName;
    }

    /** The action with this configuration name (case-insensitive), or {@code null}. */
    public static PolicyAction forConfigName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (PolicyAction action : values()) {
            if (action.configName.equals(wanted)) {
                return action;
            }
        }
        return null;
    }

    /** "defer, reject, audit", for error messages. */
    public static String allConfigNames() {
        return "defer, reject, audit";
    }

    @Override
    public String toString() {
        return configName;
    }
}
