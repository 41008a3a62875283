package dev.mailtls.agent.guard;

import dev.mailtls.engine.ConnectionRequirement;

/**
 * One SMTP connection attempt of one transport, from {@code protocolConnect}'s start to its end:
 * what the connection must achieve, decided once at its start (and again at the handshake if the
 * port turns out different, since TLSA records are per port). Lives in a thread local for exactly
 * that span: the mail library connects on the calling thread.
 */
final class ConnectionAttempt {
    final String protocol;
    final ConnectionRequirement requirement;
    /** Set when MailTLS Guard itself could not set up the handshake: why, in operator terms. */
    volatile String setupFailure;

    ConnectionAttempt(String protocol, ConnectionRequirement requirement) {
        this.protocol = protocol;
        this.requirement = requirement;
    }

    String host() {
        return requirement.host();
    }
}
