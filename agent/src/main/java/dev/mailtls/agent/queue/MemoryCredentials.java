package dev.mailtls.agent.queue;

import dev.mailtls.queue.SmtpDestination;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SMTP AUTH passwords the application used, kept in this JVM's memory only, by protocol,
 * host, port and user name, so that a queued message to an authenticating relay can be re-sent
 * as that user. They are never written to the queue, a log or anywhere else: after a restart a
 * queued message for such a destination waits (no attempt counted) until the application
 * connects to it again and so hands over the password once more. Thread-safe.
 */
final class MemoryCredentials {
    private final Map<String, String> passwords = new ConcurrentHashMap<>();

    /** Remembers the password of the latest connection to this destination as this user. */
    void remember(String protocol, String host, int port, String user, String password) {
        if (user != null && password != null) {
            passwords.put(key(protocol, host, port, user), password);
        }
    }

    /** The password for {@code destination}'s user, or {@code null} when none is known in this JVM. */
    String password(SmtpDestination destination) {
        return passwords.get(key(destination.protocol(), destination.host(), destination.port(), destination.user()));
    }

    private static String key(String protocol, String host, int port, String user) {
        // The user name stays as given: servers may treat it case-sensitively.
        return protocol + "://" + user + "@" + host.toLowerCase(Locale.ROOT) + ":" + port;
    }
}
