package dev.mailtls.engine;

import dev.mailtls.policy.PolicyAction;
import dev.mailtls.policy.PolicyRule;

/**
 * The words every front end uses when the policy refuses a connection: what happened, then the
 * rule that governs it and where that rule was written, then what becomes of the message, e.g.
 * {@code TLS is required, but was not offered by host mx.example.com. MailTLS Guard policy
 * "dane-only" from mailtls.policy.example.com (/etc/mailtls.properties:12); message deferred
 * (action=defer)}. The SMTP reply code and enhanced status code go in front of it.
 */
public final class RefusalText {
    private RefusalText() {
    }

    /** The text for {@code what} under {@code rule}. */
    public static String of(PolicyRule rule, String what) {
        // The reason may end a sentence of its own (verification messages do); one full stop, not two.
        String reason = what.endsWith(".") ? what.substring(0, what.length() - 1) : what;
        boolean reject = rule.policy().action() == PolicyAction.REJECT;
        return reason + ". MailTLS Guard policy \"" + rule.policy().level() + "\" from " + rule.key() + " ("
                + rule.policyOrigin() + "); " + (reject ? "message rejected (action=reject)" : "message deferred (action=defer)");
    }
}
