package dev.mailtls.james;

import dev.mailtls.config.MailTlsConfig;
import dev.mailtls.policy.PolicyTable;
import dev.mailtls.policy.TlsLevel;
import jakarta.mail.MessagingException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import org.apache.james.core.MailAddress;
import org.apache.mailet.base.GenericRecipientMatcher;

/**
 * Matches the recipients whose domain's configured TLS level is one of the listed levels, so that
 * only those go through {@link TlsPolicyDelivery} and the rest stay with James's RemoteDelivery:
 * {@code match="dev.mailtls.james.RecipientTlsPolicyIs=dane,dane-only,verify"}. The level is the
 * configured one (the rule's), not the effective one, which needs DNS and is decided at delivery.
 *
 * <p>A matcher has no init parameters, so the configuration comes from {@code -Dmailtls.config}
 * (in James: {@code conf/jvm.properties}) or {@code MAILTLS_CONFIG}, plus {@code -Dmailtls.*}
 * overrides. Give the mailet the same file (its {@code config} parameter may then be left out),
 * and keep policy rules in the file rather than in the mailet's inline parameters, or the two
 * will disagree.
 */
public class RecipientTlsPolicyIs extends GenericRecipientMatcher {
    private Set<TlsLevel> levels;
    private PolicyTable policies;

    @Override
    public void init() throws MessagingException {
        levels = parseLevels(getCondition());
        PolicySource source = PolicySource.standard(Collections.<String, String>emptyMap());
        try {
            MailTlsConfig config = source.load();
            policies = config.policies();
        } catch (IllegalArgumentException invalid) {
            throw new MessagingException("matcher RecipientTlsPolicyIs=" + getCondition() + " cannot start: the MailTLS Guard"
                    + " configuration from " + source.describeFile() + " is invalid:" + System.lineSeparator()
                    + invalid.getMessage());
        }
    }

    /**
     * The levels of a condition such as {@code dane,dane-only}.
     *
     * @throws MessagingException naming the unknown level and the allowed ones
     */
    static Set<TlsLevel> parseLevels(String condition) throws MessagingException {
        if (condition == null || condition.trim().isEmpty()) {
            throw new MessagingException("matcher RecipientTlsPolicyIs needs a condition: one or more comma-separated levels"
                    + " from " + TlsLevel.allConfigNames() + ", e.g. RecipientTlsPolicyIs=dane,dane-only");
        }
        Set<TlsLevel> levels = EnumSet.noneOf(TlsLevel.class);
        for (String part : condition.split(",")) {
            TlsLevel level = TlsLevel.forConfigName(part.trim());
            if (level == null) {
                throw new MessagingException("matcher RecipientTlsPolicyIs=" + condition + ": unknown level \"" + part.trim()
                        + "\"; allowed: " + TlsLevel.allConfigNames());
            }
            levels.add(level);
        }
        return levels;
    }

    @Override
    public boolean matchRecipient(MailAddress recipient) {
        try {
            return levels.contains(policies.match(recipient.getDomain().asString()).policy().level());
        } catch (IllegalArgumentException addressLiteral) {
            // user@[192.0.2.1] has no policy of its own: left to the next matcher (RemoteDelivery).
            return false;
        }
    }

    @Override
    public String getMatcherInfo() {
        return "MailTLS Guard RecipientTlsPolicyIs: recipients whose domain's configured TLS level is one of the listed";
    }
}
