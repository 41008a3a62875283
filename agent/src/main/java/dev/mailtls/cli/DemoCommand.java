package dev.mailtls.cli;

import dev.mailtls.demo.Demonstration;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;

/**
 * {@code demo}: the live demonstration on an embedded default (see {@link Demonstration}). It
 * attaches the very jar it runs from to the application it starts, so it runs from the packaged
 * agent jar only. Exit code 0 when every scenario behaved as expected, 1 otherwise.
 */
final class DemoCommand implements Command {
    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String synopsis() {
        return "";
    }

    @Override
    public String summary() {
        return "an unmodified Jakarta Mail application against honest and attacking SMTP servers, with and without"
                + " the agent (in-process DNSSEC and SMTP on 127.0.0.1; needs only the JDK)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (!args.isEmpty()) {
            err.println("mailtls demo: takes no arguments, got " + args);
            return USAGE;
        }
        Path jar = agentJar();
        if (jar == null) {
            err.println("mailtls demo: runs from the agent jar only (it attaches that jar to the application it starts):"
                    + " java -jar agent/target/mailtls-agent.jar demo, or ./scripts/demo");
            return USAGE;
        }
        try {
            return Demonstration.run(jar, out, err) ? OK : NOT_COMPLIANT;
        } catch (IOException cannotSetUp) {
            err.println("mailtls demo: could not run: " + cannotSetUp.getMessage());
            return NOT_COMPLIANT;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            err.println("mailtls demo: interrupted");
            return NOT_COMPLIANT;
        }
    }

    /** The jar this class was loaded from, or {@code null} when it comes from a classes folder. */
    private static Path agentJar() {
        CodeSource source = DemoCommand.class.getProtectionDomain().getCodeSource();
        if (source == null) {
            return null;
        }
        try {
            File location = new File(source.getLocation().toURI());
            return location.isFile() && location.getName().endsWith(".jar") ? location.toPath() : null;
        } catch (URISyntaxException | IllegalArgumentException notAFile) {
            return null;
        }
    }
}
