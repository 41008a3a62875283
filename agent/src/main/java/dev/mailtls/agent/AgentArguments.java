package dev.mailtls.agent;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The agent's argument string, {@code -javaagent:mailtls-agent.jar=config=/etc/mailtls.properties,log=/var/log/mailtls.log}:
 * comma-separated {@code name=value} pairs. Known names: {@code config} (the configuration file)
 * and {@code log} (also write the agent's log lines to this file).
 */
final class AgentArguments {
    static final String CONFIG = "config";
    static final String LOG = "log";

    private final Map<String, String> values;

    private AgentArguments(Map<String, String> values) {
        this.values = values;
    }

    /** Parses {@code text} (may be null); {@link IllegalArgumentException} names a malformed or unknown argument. */
    static AgentArguments parse(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        if (text != null && !text.trim().isEmpty()) {
            for (String part : text.split(",")) {
                int equals = part.indexOf('=');
                String name = equals < 0 ? part.trim() : part.substring(0, equals).trim();
                if (equals < 0 || !(name.equals(CONFIG) || name.equals(LOG))) {
                    throw new IllegalArgumentException("agent argument \"" + part.trim() + "\" is not understood;"
                            + " allowed: config=FILE, log=FILE (comma-separated)");
                }
                values.put(name, part.substring(equals + 1).trim());
            }
        }
        return new AgentArguments(values);
    }

    /** The value of {@code name}, or {@code null}. */
    String get(String name) {
        return values.get(name);
    }
}
