package dev.mailtls.it.agent;

import org.junit.jupiter.api.Assumptions;

/**
 * Agent bugs that tests here have found, reported to the agent's owner and not yet fixed. A test
 * that shows one is skipped, naming it, unless {@code -Dmailtls.it.knownAgentBugs=run} asks for
 * every test to run (to check a fix); once a bug is fixed, its constant and the skips go.
 */
final class KnownAgentBugs {
    /**
     * {@code PolicySmtpGuard.decide} treats a {@code protocolConnect} that returned without
     * connecting ({@code false}, socket {@code null}: JavaMail does so when
     * {@code mail.smtp.auth=true} and no user name or password was passed, to ask the
     * Authenticator and call again) as a plaintext connection and refuses it with
     * "454 4.7.4 TLS is required, but the connection to HOST is in plaintext". So every
     * application that gives its credentials through an Authenticator (Commons Email, Simple Java
     * Mail, {@code Transport.send} with a Session authenticator) cannot send at all under a level
     * that requires TLS.
     */
    static final String NOT_CONNECTED_IS_PLAINTEXT = "agent bug: a protocolConnect that did not connect (credentials"
            + " from an Authenticator) is refused as plaintext (PolicySmtpGuard.decide)";

    private KnownAgentBugs() {
    }

    static void skipIf(boolean affected, String bug) {
        if (affected && !"run".equals(System.getProperty("mailtls.it.knownAgentBugs"))) {
            Assumptions.abort(bug);
        }
    }
}
