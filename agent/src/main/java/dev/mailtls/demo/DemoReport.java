package dev.mailtls.demo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The demonstration's report: one table row per {@link Scenario}, what the application threw and
 * the agent logged in full beneath it (the table shows them in short), a two-line conclusion, and
 * the self-check. Columns are separated by {@code " | "} so that the table is as easy to read for a
 * program as for a person.
 */
final class DemoReport {
    private static final String[] HEADER = {
        "SCENARIO", "AGENT", "APPLICATION", "AGENT'S DECISION", "ARRIVED", "PLAINTEXT AFTER EHLO",
    };

    private final List<ScenarioResult> results = new ArrayList<ScenarioResult>();
    private final List<SenderRun> runs = new ArrayList<SenderRun>();

    void add(ScenarioResult result, SenderRun run) {
        results.add(result);
        runs.add(run);
    }

    boolean allAsExpected() {
        for (ScenarioResult result : results) {
            if (!result.unexpected().isEmpty()) {
                return false;
            }
        }
        return true;
    }

    void print(PrintStream out) {
        List<String[]> rows = new ArrayList<String[]>();
        rows.add(HEADER);
        for (ScenarioResult result : results) {
            rows.add(new String[] {
                result.scenario().title(), result.scenario().agent() ? "yes" : "no", result.applicationCell(),
                result.decisionCell(), result.arrivedCell(), result.exposureCell(),
            });
        }
        printTable(out, rows);
        out.println();
        out.println("In full, what the application threw and the agent logged:");
        for (ScenarioResult result : results) {
            if (result.scenario().agent()) {
                String outcome = result.outcome();
                out.println("  " + result.scenario().title() + ":");
                if (outcome != null && !outcome.equals("SENT")) {
                    out.println("    application: " + outcome.substring("FAILED ".length()));
                }
                out.println("    agent:       " + result.agentDecision());
            }
        }
        out.println();
        if (allAsExpected()) {
            // The conclusion states what the scenarios showed, so only when they showed it.
            printConclusion(out);
            out.println();
        }
        printSelfCheck(out);
    }

    private void printConclusion(PrintStream out) {
        String leakedPassword = null;
        for (ScenarioResult result : results) {
            if (!result.scenario().agent() && result.exposure().password() != null) {
                leakedPassword = result.exposure().password();
            }
        }
        out.println("Without the agent: the login" + (leakedPassword == null ? "" : " (password \"" + leakedPassword + "\")")
                + " and the message crossed in plaintext where STARTTLS was stripped.");
        out.println("With the agent: the unchanged application delivered only to the key that DNSSEC-signed TLSA vouches for;"
                + " each attack was deferred (454) before AUTH or MAIL FROM left it.");
    }

    private void printSelfCheck(PrintStream out) {
        int unexpected = 0;
        for (int i = 0; i < results.size(); i++) {
            ScenarioResult result = results.get(i);
            for (String problem : result.unexpected()) {
                unexpected++;
                out.println("UNEXPECTED in \"" + result.scenario().title() + (result.scenario().agent() ? "\" with" : "\" without")
                        + " the agent: " + problem);
            }
            if (!result.unexpected().isEmpty()) {
                out.println(runs.get(i));
            }
        }
        out.println(unexpected == 0 ? "Self-check: all " + results.size() + " scenarios behaved as expected."
                : "Self-check FAILED: " + unexpected + " unexpected outcome" + (unexpected == 1 ? "" : "s") + " (above).");
    }

    private static void printTable(PrintStream out, List<String[]> rows) {
        int[] widths = new int[HEADER.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == 0 ? "" : " | ").append(row[i]);
                for (int pad = row[i].length(); pad < widths[i] && i < row.length - 1; pad++) {
                    line.append(' ');
                }
            }
            out.println(line);
        }
    }
}
