package dev.mailtls.config;

import dev.mailtls.dns.DnsSettings;
import dev.mailtls.policy.PolicyTable;
import dev.mailtls.tls.TlsSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A deployment's complete, validated configuration: the {@link PolicyTable}, the DNS settings and
 * the TLS settings, plus a report of every global setting and its origin. Immutable; made by
 * {@link ConfigLoader}.
 */
public final class MailTlsConfig {
    private final String source;
    private final PolicyTable policies;
    private final DnsSettings dns;
    private final TlsSettings tls;
    private final List<Setting> settings;

    MailTlsConfig(String source, PolicyTable policies, DnsSettings dns, TlsSettings tls, List<Setting> settings) {
        this.source = source;
        this.policies = policies;
        this.dns = dns;
        this.tls = tls;
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

    /** Every global setting (not the policy rules), in documentation order. */
    public List<Setting> settings() {
        return settings;
    }
}
