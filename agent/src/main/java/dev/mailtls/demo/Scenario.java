package dev.mailtls.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * One run of the sample application against one {@link ServerRole}, with or without the agent,
 * and what must come of it: the demonstration's self-check. Declared in the order of the table.
 */
enum Scenario {
    HONEST_WITHOUT_AGENT("honest server", ServerRole.HONEST, false, "SENT", null, false),
    HONEST_WITH_AGENT("honest server", ServerRole.HONEST, true, "SENT", "Verified", false),
    STRIPPED_WITHOUT_AGENT("STARTTLS stripped", ServerRole.STRIPPED, false, "SENT", null, true),
    STRIPPED_WITH_AGENT("STARTTLS stripped", ServerRole.STRIPPED, true, "454 4.7.4 TLS is required, but was not offered",
            "refused", false),
    SUBSTITUTED_WITH_AGENT("substituted certificate", ServerRole.SUBSTITUTED, true,
            "454 4.7.5 Server certificate not verified: DANE: no TLSA record of _", "refused", false),
    NO_STARTTLS_WITH_AGENT("server without STARTTLS", ServerRole.NO_STARTTLS, true,
            "454 4.7.4 TLS is required, but was not offered", "refused", false);

    private final String title;
    private final ServerRole server;
    private final boolean agent;
    private final String expectedOutcome;
    private final String expectedDecision;
    private final boolean expectedExposure;

    /**
     * @param expectedOutcome {@code SENT}, or the start of the failure message (after the exception class)
     * @param expectedDecision the first word of the agent's log line, or {@code null} without the agent
     * @param expectedExposure whether AUTH and MAIL must cross in plaintext (the baseline's weakness)
     */
    Scenario(String title, ServerRole server, boolean agent, String expectedOutcome, String expectedDecision,
            boolean expectedExposure) {
        this.title = title;
        this.server = server;
        this.agent = agent;
        this.expectedOutcome = expectedOutcome;
        this.expectedDecision = expectedDecision;
        this.expectedExposure = expectedExposure;
    }

    String title() {
        return title;
    }

    ServerRole server() {
        return server;
    }

    /** Whether the application runs with {@code -javaagent}. */
    boolean agent() {
        return agent;
    }

    /** What of {@code result} differs from what this scenario must show; empty when all is as expected. */
    List<String> unexpected(ScenarioResult result) {
        List<String> problems = new ArrayList<String>();
        String outcome = result.outcome();
        boolean sends = expectedOutcome.equals("SENT");
        if (sends ? !"SENT".equals(outcome) : outcome == null || !outcome.startsWith("FAILED ")
                || !outcome.substring(outcome.indexOf(": ") + 2).startsWith(expectedOutcome)) {
            problems.add("the application should have " + (sends ? "sent" : "failed with \"" + expectedOutcome + "...\"")
                    + ", but: " + outcome);
        }
        if (result.delivered() != sends) {
            problems.add("the message should " + (sends ? "" : "not ") + "have arrived");
        }
        String decision = result.agentDecision();
        if (expectedDecision == null ? decision != null
                : decision == null || !decision.startsWith("mailtls: " + expectedDecision)
                        && !decision.contains(" " + expectedDecision + ": ")) {
            problems.add("the agent's decision should be " + (expectedDecision == null ? "absent" : expectedDecision)
                    + ", but was: " + decision);
        }
        boolean exposed = result.exposure().commands().contains("AUTH") && result.exposure().commands().contains("MAIL");
        if (expectedExposure != exposed || !expectedExposure && !result.exposure().isEmpty()) {
            problems.add((expectedExposure ? "AUTH and MAIL should have crossed in plaintext" : "nothing should have"
                    + " crossed in plaintext after EHLO") + ", but: " + result.exposure());
        }
        return problems;
    }
}
