package dev.mailtls.config;

import dev.mailtls.dns.DnsSettings;
import dev.mailtls.policy.PolicyTable;
import dev.mailtls.queue.QueueSettings;
import dev.mailtls.tls.TlsSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A deployment's complete, validated configuration: the {@link PolicyTable}, the DNS settings,
 * the TLS settings and the durable queue's settings (if any), plus a report of every global setting and its origin. Immutable; made by
 * {@link ConfigLoader}.
 */
public final class MailTlsConfig {
    private final String source;
    private final PolicyTable policies;
    private final DnsSettings dns;
    private final TlsSettings tls;
    private final QueueSettings queue;
    private final List<Setting> settings;

    MailTlsConfig(String source, PolicyTable policies, DnsSettings dns, TlsSettings tls, QueueSettings queue,
            List<Setting> settings) {
        this.source = source;
        this.policies = policies;
        this.dns = dns;
        this.tls = tls;
        this.queue = queue;
        this.settings = Collections.unmodifiableList(new ArrayList<>(settings));
    }

    /** The file the configuration was read from, or {@code built-in defaults}. */
    public String source() {
        return source;
    }

    public PolicyTable policies() {
        return policies;
    }

    public DnsSettings dns() {
        return dns;
    }

    public TlsSettings tls() {
        return tls;
    }

    /**
     * The durable queue's settings; empty without {@code mailtls.queue.dir}, in which case a policy
     * deferral stays a temporary (4.7.x) failure to the application.
     */
    public Optional<QueueSettings> queue() {
        return Optional.ofNullable(queue);
    }

    /** Every global setting (not the policy rules), in documentation order. */
    public List<Setting> settings() {
        return settings;
    }
}
