package dev.mailtls.demo;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one {@link Scenario} showed, from three independent witnesses: the application (its result
 * line), the agent (its log line), and the server (whether DATA completed, and what crossed in
 * plaintext). Renders the cells of the demonstration's table. Immutable.
 */
final class ScenarioResult {
    /** PolicySmtpGuard's lines: "Verified TLS connection established to ..." or "... refused: REASON; level=...". */
    private static final Pattern ESTABLISHED = Pattern.compile("mailtls: (\\w+) TLS connection established to .*");
    private static final Pattern REFUSED = Pattern.compile("mailtls: .* refused: (.*?); level=\\S+ effective=(\\S+).*");
    private static final Pattern EFFECTIVE = Pattern.compile("; level=\\S+ effective=(\\S+)");
    private static final Pattern DANE_MATCH = Pattern.compile("DANE TLSA \\d \\d \\d \\S+ matched");
    /**
     * What a table cell leaves out of a refusal's reason: the host and TLSA names (the row names the
     * server already) and all after the first sentence (the report prints the whole line below the table).
     */
    private static final Pattern DETAIL = Pattern.compile(" by host \\S+| of _\\d+\\._tcp\\.\\S+|(\\.|;) .*");

    private final Scenario scenario;
    private final String outcome;
    private final String agentDecision;
    private final boolean delivered;
    private final PlaintextExposure exposure;

    ScenarioResult(Scenario scenario, String outcome, String agentDecision, boolean delivered, PlaintextExposure exposure) {
        this.scenario = scenario;
        this.outcome = outcome;
        this.agentDecision = agentDecision;
        this.delivered = delivered;
        this.exposure = exposure;
    }

    Scenario scenario() {
        return scenario;
    }

    /** The application's result: {@code SENT} or {@code FAILED <class>: <message>}; {@code null} if it printed none. */
    String outcome() {
        return outcome;
    }

    /** The agent's log line on the connection, or {@code null}. */
    String agentDecision() {
        return agentDecision;
    }

    /** Whether the server accepted the message (its DATA completed). */
    boolean delivered() {
        return delivered;
    }

    PlaintextExposure exposure() {
        return exposure;
    }

    List<String> unexpected() {
        return scenario.unexpected(this);
    }

    /** {@code sent}, or {@code failed: } and the SMTP reply code of the exception, e.g. {@code failed: 454 4.7.4 ...}. */
    String applicationCell() {
        if (outcome == null) {
            return "no result";
        }
        if (outcome.equals("SENT")) {
            return "sent";
        }
        String[] words = outcome.substring(outcome.indexOf(": ") + 2).split(" ");
        boolean smtpReply = words.length > 2 && words[0].matches("\\d{3}") && words[1].matches("\\d\\.\\d+\\.\\d+");
        return "failed: " + (smtpReply ? words[0] + " " + words[1] + " ..." : outcome.substring("FAILED ".length()));
    }

    /**
     * The verdict, the effective level and the evidence in short, e.g. {@code Verified [dane]: DANE
     * TLSA 3 1 1 060FEEB7… matched} or {@code refused [encrypt]: TLS is required, but was not offered}.
     */
    String decisionCell() {
        if (!scenario.agent()) {
            return "- (no agent)";
        }
        if (agentDecision == null) {
            return "no decision logged";
        }
        Matcher refused = REFUSED.matcher(agentDecision);
        if (refused.matches()) {
            String reason = DETAIL.matcher(refused.group(1)).replaceAll("");
            return "refused [" + refused.group(2) + "]: " + reason.substring(reason.lastIndexOf(": ") + 1).trim();
        }
        Matcher established = ESTABLISHED.matcher(agentDecision);
        Matcher effective = EFFECTIVE.matcher(agentDecision);
        if (established.matches() && effective.find()) {
            Matcher dane = DANE_MATCH.matcher(agentDecision);
            return established.group(1) + " [" + effective.group(1) + "]" + (dane.find() ? ": " + dane.group() : "");
        }
        return agentDecision.substring("mailtls: ".length());
    }

    String arrivedCell() {
        return delivered ? "yes" : "no";
    }

    String exposureCell() {
        return exposure.toString();
    }
}
