package dev.mailtls.james;

import dev.mailtls.config.ConfigException;
import dev.mailtls.config.ConfigLoader;
import dev.mailtls.config.ConfigProblem;
import dev.mailtls.config.MailTlsConfig;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
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
    static final String ENVIRONMENT_VARIABLE = "MAILTLS_CONFIG";

    private final String file;
    private final String fileOrigin;
    private final Map<String, String> inline;

    private PolicySource(String file, String fileOrigin, Map<String, String> inline) {
        this.file = file;
        this.fileOrigin = fileOrigin;
        this.inline = inline;
    }

    /**
     * The source for a mailet: {@code configParameter} (may be {@code null}) names the file, and
     * {@code inline} holds its {@code mailtls.*} init parameters.
     */
    static PolicySource forMailet(String configParameter, Map<String, String> inline) {
        if (configParameter != null && !configParameter.trim().isEmpty()) {
            return new PolicySource(configParameter.trim(), "init parameter config", inline);
        }
        return standard(inline);
    }

    /** The source without init parameters (the matcher): system property, environment, defaults. */
    static PolicySource standard(Map<String, String> inline) {
        String property = System.getProperty(ConfigLoader.CONFIG_FILE_PROPERTY);
        if (property != null && !property.trim().isEmpty()) {
            return new PolicySource(property.trim(), "system property -D" + ConfigLoader.CONFIG_FILE_PROPERTY, inline);
        }
        String environment = System.getenv(ENVIRONMENT_VARIABLE);
        if (environment != null && !environment.trim().isEmpty()) {
            return new PolicySource(environment.trim(), "environment variable " + ENVIRONMENT_VARIABLE, inline);
        }
        return new PolicySource(null, null, inline);
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
            return file == null ? loader.loadWithoutFile() : loader.load(Paths.get(file));
        } catch (ConfigException invalid) {
            throw new IllegalArgumentException(describe(invalid.problems()), invalid);
        }
    }

    /** Where the configuration comes from, for the start-up log line. */
    String describeFile() {
        if (file == null) {
            return "built-in defaults (no init parameter config, no -D" + ConfigLoader.CONFIG_FILE_PROPERTY + ", no "
                    + ENVIRONMENT_VARIABLE + ")";
        }
        Path path = Paths.get(file);
        return path.toAbsolutePath() + " (" + fileOrigin + ")";
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
