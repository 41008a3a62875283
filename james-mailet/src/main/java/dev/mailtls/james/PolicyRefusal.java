package dev.mailtls.james;

import dev.mailtls.engine.ConnectionRequirement;
import dev.mailtls.engine.RefusalText;
import dev.mailtls.policy.PolicyAction;
import dev.mailtls.policy.PolicyRule;

/**
 * The reply for a connection the policy did not allow, in the words the agent uses: {@code 454
 * 4.7.x} under {@code action=defer} (try again later), {@code 554 5.7.x} under {@code action=reject}
 * (bounce now), naming the rule that decided and where it was configured.
 */
final class PolicyRefusal {
    /** Enhanced status detail: TLS was not offered or not started (Postfix's 4.7.4). */
    static final int TLS_NOT_AVAILABLE = 4;
    /** Enhanced status detail: verification, TLSA lookup or handshake failed (Postfix's 4.7.5). */
    static final int NOT_VERIFIED = 5;

    private PolicyRefusal() {
    }

    static SmtpReply reply(ConnectionRequirement requirement, int detail, String what) {
        PolicyRule rule = requirement.match().rule();
        boolean reject = rule.policy().action() == PolicyAction.REJECT;
        String text = RefusalText.of(rule, what);
        return reject ? SmtpReply.of(554, "5.7." + detail, text) : SmtpReply.of(454, "4.7." + detail, text);
    }
}
