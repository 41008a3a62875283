package dev.mailtls.james;

import dev.mailtls.config.MailTlsConfig;
import dev.mailtls.policy.PolicyTable;
import dev.mailtls.policy.TlsLevel;
import jakarta.mail.MessagingException;
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
 * <p>A matcher has no init parameters, only its condition. The configuration file is the one
 * named after the levels, {@code RecipientTlsPolicyIs=dane,dane-only;config=/etc/mailtls.properties},
 * else by {@code -Dmailtls.config} (in James: {@code conf/jvm.properties}) or {@code MAILTLS_CONFIG};
 * then {@code -Dmailtls.*} overrides. Give the mailet the same file: policy rules written inline
 * on the mailet ({@code mailtls.policy.*} parameters) are the mailet's alone, and the matcher
 * would route by different ones.
 */
public class RecipientTlsPolicyIs extends GenericRecipientMatcher {
    static final String CONFIG_PART = "config=";

    private Set<TlsLevel> levels;
    private PolicyTable policies;

    @Override
    public void init() throws MessagingException {
        String condition = getCondition() == null ? "" : getCondition();
        int separator = condition.indexOf(';');
        String levelList = separator < 0 ? condition : condition.substring(0, separator);
        String configFile = null;
        if (separator >= 0) {
            String option = condition.substring(separator + 1).trim();
            if (!option.startsWith(CONFIG_PART) || option.length() == CONFIG_PART.length()) {
                throw new MessagingException("matcher RecipientTlsPolicyIs=" + condition + ": after the levels only \";"
                        + CONFIG_PART + "FILE\" may follow, naming the MailTLS Guard configuration file, e.g."
                        + " RecipientTlsPolicyIs=dane,dane-only;config=/etc/mailtls.properties");
            }
            configFile = option.substring(CONFIG_PART.length());
        }
        levels = parseLevels(levelList, condition);
        PolicySource source = PolicySource.forMatcher(configFile);
        try {
            MailTlsConfig config = source.load();
            policies = config.policies();
        } catch (IllegalArgumentException invalid) {
            throw new MessagingException("matcher RecipientTlsPolicyIs=" + condition + " cannot start: the MailTLS Guard"
                    + " configuration from " + source.describeFile() + " is invalid:" + System.lineSeparator()
                    + invalid.getMessage());
        }
    }

    /**
     * The levels of a list such as {@code dane,dane-only}.
     *
     * @param condition the whole condition, for the message
     * @throws MessagingException naming the unknown level and the allowed ones
     */
    static Set<TlsLevel> parseLevels(String levelList, String condition) throws MessagingException {
        if (levelList == null || levelList.trim().isEmpty()) {
            throw new MessagingException("matcher RecipientTlsPolicyIs needs a condition: one or more comma-separated levels"
                    + " from " + TlsLevel.allConfigNames() + ", e.g. RecipientTlsPolicyIs=dane,dane-only");
        }
        Set<TlsLevel> levels = EnumSet.noneOf(TlsLevel.class);
        for (String part : levelList.split(",")) {
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
