package dev.mailtls.james;

import dev.mailtls.config.ConfigException;
import dev.mailtls.config.ConfigLoader;
import dev.mailtls.config.ConfigLocation;
import dev.mailtls.config.ConfigProblem;
import dev.mailtls.config.MailTlsConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Where the mailet and the matcher get the deployment's MailTLS Guard configuration: the file named
 * by the mailet's {@code config} parameter, else by {@code -Dmailtls.config} (James: {@code conf/jvm.properties}),
 * else by the environment variable {@code MAILTLS_CONFIG}, else the built-in defaults; then every
 * {@code -Dmailtls.*} system property, then the mailet's inline {@code mailtls.*} parameters,
 * each overriding the one before. The same keys and checks as the agent's and the CLI's.
 */
final class PolicySource {
    private final ConfigLocation location;
    private final Map<String, String> inline;

    private PolicySource(ConfigLocation location, Map<String, String> inline) {
        this.location = location;
        this.inline = inline;
    }

    /**
     * The source for a mailet: {@code configParameter} (may be {@code null}) names the file, and
     * {@code inline} holds its {@code mailtls.*} init parameters.
     */
    static PolicySource forMailet(String configParameter, Map<String, String> inline) {
        return new PolicySource(ConfigLocation.find(configParameter, "init parameter config", System.getProperties(),
                System.getenv()), inline);
    }

    /**
     * The source for a matcher: {@code configFile} (may be {@code null}) from its condition's
     * {@code config=} part, else system property, environment, defaults.
     */
    static PolicySource forMatcher(String configFile) {
        return new PolicySource(ConfigLocation.find(configFile, "matcher condition config=", System.getProperties(),
                System.getenv()), Collections.<String, String>emptyMap());
    }

    /**
     * Whether inline parameters decide policy ({@code mailtls.level}, {@code mailtls.action},
     * {@code mailtls.policy.*}): a matcher, which cannot see them, would route by other rules.
     */
    boolean hasInlinePolicies() {
        for (String key : inline.keySet()) {
            if (key.startsWith("mailtls.policy.") || key.equals(ConfigLoader.LEVEL) || key.equals(ConfigLoader.ACTION)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The validated configuration.
     *
     * @throws IllegalArgumentException whose message lists every problem, one a line, each naming
     *     where the value was written (file and line, system property or init parameter)
     */
    MailTlsConfig load() {
        Properties overrides = new Properties();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("mailtls.")) {
                overrides.setProperty(name, System.getProperty(name));
            }
        }
        for (Map.Entry<String, String> parameter : inline.entrySet()) {
            overrides.setProperty(parameter.getKey(), parameter.getValue());
        }
        ConfigLoader loader = ConfigLoader.withOverrides(overrides);
        try {
            return location.load(loader);
        } catch (ConfigException invalid) {
            throw new IllegalArgumentException(describe(invalid.problems()), invalid);
        }
    }

    /** Where the configuration comes from, for the start-up log line. */
    String describeFile() {
        return location.file() == null ? location.how() : location.file().toAbsolutePath() + " (" + location.how() + ")";
    }

    /**
     * The loader's problems with the origin an operator will recognise: the loader labels every
     * override "system property", but here an override may be an init parameter.
     */
    private String describe(List<ConfigProblem> problems) {
        List<String> lines = new ArrayList<>();
        for (ConfigProblem problem : problems) {
            boolean inlineParameter = problem.key() != null && inline.containsKey(problem.key())
                    && problem.origin().startsWith("system property");
            if (inlineParameter) {
                lines.add("init parameter " + problem.key() + (problem.value() == null ? "" : " = \"" + problem.value() + "\"")
                        + ": " + problem.message());
            } else {
                lines.add(problem.toString());
            }
        }
        return String.join(System.lineSeparator(), lines);
    }
}
