package dev.mailtls.cli;

import dev.mailtls.config.ConfigException;
import dev.mailtls.config.ConfigLoader;
import dev.mailtls.config.MailTlsConfig;
import java.io.PrintStream;
import java.nio.file.Paths;

/** The configuration a command works on: a file, or the built-in defaults, with {@code -Dmailtls.*} overrides. */
final class CommandConfig {
    private CommandConfig() {
    }

    /**
     * Loads {@code file} (the built-in defaults when {@code null}); on a configuration error prints
     * every problem to {@code err} and returns {@code null}, for the command to exit with {@link Command#USAGE}.
     */
    static MailTlsConfig load(String file, PrintStream err) {
        try {
            ConfigLoader loader = ConfigLoader.standard();
            return file == null ? loader.loadWithoutFile() : loader.load(Paths.get(file));
        } catch (ConfigException invalid) {
            err.println(invalid.getMessage());
            return null;
        }
    }
}
