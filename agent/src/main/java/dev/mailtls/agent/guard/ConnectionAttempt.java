package dev.mailtls.agent.guard;

import dev.mailtls.policy.PolicyMatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One SMTP connection attempt of one transport, from {@code protocolConnect}'s start to its end:
 * the destination, the policy that applies, and what the TLS handshake found. Lives in a thread
 * local for exactly that span (the library connects on the calling thread).
 */
final class ConnectionAttempt {
    final String protocol;
    final String host;
    final PolicyMatch match;
    /** Set by the trust manager when it refuses the server's certificate: why, in operator terms. */
    final AtomicReference<String> refusal = new AtomicReference<>();

    ConnectionAttempt(String protocol, String host, PolicyMatch match) {
        this.protocol = protocol;
        this.host = host;
        this.match = match;
    }
}
