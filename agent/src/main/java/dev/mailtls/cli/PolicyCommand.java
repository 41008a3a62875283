package dev.mailtls.cli;

import dev.mailtls.config.MailTlsConfig;
import dev.mailtls.policy.PolicyMatch;
import dev.mailtls.policy.PolicyRule;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** {@code policy FILE DESTINATION}: which rule applies to a destination, and why. */
final class PolicyCommand implements Command {
    @Override
    public String name() {
        return "policy";
    }

    @Override
    public String synopsis() {
        return "FILE DESTINATION";
    }

    @Override
    public String summary() {
        return "print which rule of FILE applies to DESTINATION (a host name or domain) and why";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.size() != 2) {
            err.println("usage: policy FILE DESTINATION");
            return USAGE;
        }
        String file = args.get(0);
        MailTlsConfig config = CommandConfig.load(file, err);
        if (config == null) {
            return USAGE;
        }
        String destination = args.get(1);
        PolicyMatch match = config.policies().match(destination);
        PolicyRule rule = match.rule();
        out.println("Destination: " + match.destination()
                + (match.destination().equals(destination) ? "" : " (given as " + destination + ")"));
        out.println("Rule:        " + rule.key() + " = " + rule.policy().level().configName()
                + (rule.policy().daneFallback() == null ? "" : " fallback=" + rule.policy().daneFallback().configName())
                + "  (" + Origins.shorten(rule.policyOrigin(), file) + ")");
        out.println("Why:         " + match.reason());
        List<String> beaten = new ArrayList<>();
        for (PolicyRule candidate : config.policies().candidates(destination)) {
            if (candidate != rule) {
                beaten.add(candidate.pattern() + " (" + Origins.shorten(candidate.policyOrigin(), file) + ")");
            }
        }
        if (!beaten.isEmpty()) {
            out.println("             also matching, but less specific: " + String.join(", ", beaten));
        }
        out.println("Policy:      " + rule.policy() + "  (action: " + Origins.shorten(rule.actionOrigin(), file) + ")");
        out.println("Meaning:     " + rule.policy().describe());
        return OK;
    }
}
