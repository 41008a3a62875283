package dev.mailtls.queue;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where and how a queued message is to be delivered: protocol ({@code smtp} or {@code smtps}),
 * host, port, the user name to authenticate as (if any) and the string-valued {@code mail.*}
 * session properties needed to reconnect the same way (EHLO name, auth mechanisms, socket
 * factory class, ...). Never a password: the builder drops every property whose key contains
 * "password", "passwd" or "secret" (any case), so no credential can reach the disk through it.
 * Immutable; see {@link #builder()}.
 */
public final class SmtpDestination {
    private final String protocol;
    private final String host;
    private final int port;
    private final String user;
    private final Map<String, String> sessionProperties;

    private SmtpDestination(Builder builder) {
        this.protocol = builder.protocol;
        this.host = builder.host;
        this.port = builder.port;
        this.user = builder.user;
        this.sessionProperties = Collections.unmodifiableMap(new TreeMap<>(builder.sessionProperties));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether a session property key may name a credential, which is never stored. */
    public static boolean isSecretKey(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return lower.contains("password") || lower.contains("passwd") || lower.contains("secret");
    }

    /** {@code smtp} (STARTTLS per policy) or {@code smtps} (implicit TLS). */
    public String protocol() {
        return protocol;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The user name for SMTP AUTH, or {@code null} when the application did not authenticate. */
    public String user() {
        return user;
    }

    /** Session properties to reconnect with, sorted by key; never a password. */
    public Map<String, String> sessionProperties() {
        return sessionProperties;
    }

    /** {@code host:port}, as in log lines. */
    public String relay() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    public Builder toBuilder() {
        return new Builder().protocol(protocol).host(host).port(port).user(user).sessionProperties(sessionProperties);
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof SmtpDestination)) {
            return false;
        }
        SmtpDestination that = (SmtpDestination) other;
        return protocol.equals(that.protocol) && host.equals(that.host) && port == that.port
                && Objects.equals(user, that.user) && sessionProperties.equals(that.sessionProperties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(protocol, host, port, user, sessionProperties);
    }

    @Override
    public String toString() {
        return protocol + "://" + (user == null ? "" : user + "@") + relay();
    }

    /** Builds an {@link SmtpDestination}; protocol defaults to {@code smtp}, port to 25. */
    public static final class Builder {
        private String protocol = "smtp";
        private String host;
        private int port = 25;
        private String user;
        private final Map<String, String> sessionProperties = new TreeMap<>();

        private Builder() {
        }

        public Builder protocol(String protocol) {
            if (!"smtp".equals(protocol) && !"smtps".equals(protocol)) {
                throw new IllegalArgumentException("protocol must be smtp or smtps, not \"" + protocol + "\"");
            }
            this.protocol = protocol;
            return this;
        }

        public Builder host(String host) {
            if (host == null || host.trim().isEmpty() || containsControl(host)) {
                throw new IllegalArgumentException("not a host name: \"" + host + "\"");
            }
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1 to 65535, not " + port);
            }
            this.port = port;
            return this;
        }

        /** The SMTP AUTH user name, or {@code null}. */
        public Builder user(String user) {
            if (user != null && containsControl(user)) {
                throw new IllegalArgumentException("control character in the user name");
            }
            this.user = user;
            return this;
        }

        /** Adds one session property; a key naming a credential is silently dropped (see the class comment). */
        public Builder sessionProperty(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value of " + key);
            if (!isSecretKey(key)) {
                sessionProperties.put(key, value);
            }
            return this;
        }

        /** Adds every entry of {@code properties}, dropping credential keys. */
        public Builder sessionProperties(Map<String, String> properties) {
            for (Map.Entry<String, String> entry : properties.entrySet()) {
                sessionProperty(entry.getKey(), entry.getValue());
            }
            return this;
        }

        public SmtpDestination build() {
            if (host == null) {
                throw new IllegalStateException("host is required");
            }
            return new SmtpDestination(this);
        }

        private static boolean containsControl(String text) {
            for (int i = 0; i < text.length(); i++) {
                if (Character.isISOControl(text.charAt(i))) {
                    return true;
                }
            }
            return false;
        }
    }
}
