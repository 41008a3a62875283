package dev.mailtls.config;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Properties;

/**
 * Where a deployment's configuration file is, and how that was decided: the agent argument
 * {@code config=FILE} first, then the system property {@code -Dmailtls.config=FILE}, then the
 * environment variable {@code MAILTLS_CONFIG}; with none of them, the built-in defaults apply
 * (still overridable by {@code -Dmailtls.*} system properties). Immutable.
 */
public final class ConfigLocation {
    /** The environment variable consulted last. */
    public static final String ENVIRONMENT_VARIABLE = "MAILTLS_CONFIG";

    private final Path file;
    private final String how;

    private ConfigLocation(Path file, String how) {
        this.file = file;
        this.how = how;
    }

    /**
     * Finds the file.
     *
     * @param agentArgument the value of the agent's {@code config=} argument, or {@code null}
     */
    public static ConfigLocation find(String agentArgument, Properties systemProperties, Map<String, String> environment) {
        return find(agentArgument, "agent argument config=", systemProperties, environment);
    }

    /**
     * Finds the file when a front end has its own way to name it first (the James mailet's
     * {@code config} init parameter): {@code explicitFile} wins, described as {@code explicitOrigin}.
     */
    public static ConfigLocation find(String explicitFile, String explicitOrigin, Properties systemProperties,
            Map<String, String> environment) {
        if (explicitFile != null && !explicitFile.trim().isEmpty()) {
            return new ConfigLocation(Paths.get(explicitFile.trim()), explicitOrigin);
        }
        String property = systemProperties.getProperty(ConfigLoader.CONFIG_FILE_PROPERTY);
        if (property != null && !property.trim().isEmpty()) {
            return new ConfigLocation(Paths.get(property.trim()), "system property -D" + ConfigLoader.CONFIG_FILE_PROPERTY);
        }
        String variable = environment.get(ENVIRONMENT_VARIABLE);
        if (variable != null && !variable.trim().isEmpty()) {
            return new ConfigLocation(Paths.get(variable.trim()), "environment variable " + ENVIRONMENT_VARIABLE);
        }
        return new ConfigLocation(null, "no configuration file named; built-in defaults");
    }

    /** The file, or {@code null} when none was named. */
    public Path file() {
        return file;
    }

    /** How the file was found, for the start-up log line. */
    public String how() {
        return how;
    }

    /** Loads the configuration from here with {@code loader}. */
    public MailTlsConfig load(ConfigLoader loader) throws ConfigException {
        return file == null ? loader.loadWithoutFile() : loader.load(file);
    }

    @Override
    public String toString() {
        return file == null ? how : file + " (" + how + ")";
    }
}
