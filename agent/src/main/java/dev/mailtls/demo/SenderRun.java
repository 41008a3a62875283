package dev.mailtls.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * What one run of the sample application printed: its {@code RESULT} line on standard output, and
 * on standard error the agent's log, of which the decision on the connection is one line (the
 * agent writes exactly one per connection). Immutable.
 */
final class SenderRun {
    private static final String RESULT = "RESULT ";
    private static final String AGENT_LOG = "mailtls: ";

    private final String stdout;
    private final String stderr;
    private final int exitCode;

    SenderRun(String stdout, String stderr, int exitCode) {
        this.stdout = stdout;
        this.stderr = stderr;
        this.exitCode = exitCode;
    }

    /** {@code SENT}, {@code FAILED <exception class>: <message>}, or {@code null} if the application printed neither. */
    String outcome() {
        for (String line : stdout.split("\r?\n")) {
            if (line.startsWith(RESULT)) {
                return line.substring(RESULT.length());
            }
        }
        return null;
    }

    /** The agent's log lines, each from {@code mailtls: } on (without the logger's date line). */
    private List<String> agentLog() {
        List<String> lines = new ArrayList<String>();
        for (String line : stderr.split("\r?\n")) {
            int start = line.indexOf(AGENT_LOG);
            if (start >= 0) {
                lines.add(line.substring(start));
            }
        }
        return lines;
    }

    /** The agent's decision on the connection: its TLS summary or its refusal; {@code null} if it logged none. */
    String agentDecision() {
        for (String line : agentLog()) {
            if (line.contains(" TLS connection established to ") || line.contains(" refused: ")
                    || line.contains("plaintext connection to ")) {
                return line;
            }
        }
        return null;
    }

    /** Everything the JVM printed, for a report of what went wrong. */
    @Override
    public String toString() {
        return "exit code " + exitCode + "\n--- standard output\n" + stdout + "--- standard error\n" + stderr;
    }
}
