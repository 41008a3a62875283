package dev.mailtls.agent.guard;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.mail.smtp.SMTPSendFailedException;
import com.sun.mail.smtp.SMTPTransport;
import dev.mailtls.agent.bootstrap.SmtpGuard;
import dev.mailtls.config.ConfigLoader;
import dev.mailtls.config.MailTlsConfig;
import dev.mailtls.engine.PolicyEngine;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.io.IOException;
import java.util.Properties;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The guard's decisions, on a real Jakarta Mail transport object (no connection is made). */
class PolicySmtpGuardTest {
    private final SMTPTransport transport = new SMTPTransport(Session.getInstance(new Properties()), null);

    private static PolicySmtpGuard guard(String... settings) throws Exception {
        Properties overrides = new Properties();
        overrides.setProperty("mailtls.dns.servers", "127.0.0.1");
        // No DNS in these tests: levels without DANE unless a test sets one.
        overrides.setProperty("mailtls.level", "encrypt");
        for (int i = 0; i < settings.length; i += 2) {
            overrides.setProperty(settings[i], settings[i + 1]);
        }
        MailTlsConfig config = ConfigLoader.withOverrides(overrides).loadWithoutFile();
        return new PolicySmtpGuard(PolicyEngine.create(config));
    }

    /** What the library's EHLO leaves behind when the server offers STARTTLS (kept after the connection fails). */
    private void serverOffersStartTls() throws ReflectiveOperationException {
        java.lang.reflect.Field extensions = SMTPTransport.class.getDeclaredField("extMap");
        extensions.setAccessible(true);
        java.util.Hashtable<String, String> offered = new java.util.Hashtable<>();
        offered.put("STARTTLS", "");
        extensions.set(transport, offered);
    }

    @Test
    void startTlsModeFollowsTheLevel() throws Exception {
        PolicySmtpGuard guard = guard("mailtls.policy.none.example", "none", "mailtls.policy.may.example", "may",
                "mailtls.policy.audit.example", "verify action=audit");

        assertThat(guard.connectStarting(transport, null, "smtp", "none.example", 25, null, null)).isEqualTo(SmtpGuard.STARTTLS_OFF);
        assertThat(guard.connectStarting(transport, null, "smtp", "may.example", 25, null, null)).isEqualTo(SmtpGuard.STARTTLS_TRY);
        assertThat(guard.connectStarting(transport, null, "smtp", "audit.example", 25, null, null)).isEqualTo(SmtpGuard.STARTTLS_TRY);
        assertThat(guard.connectStarting(transport, null, "smtp", "anything.example", 25, null, null)).isEqualTo(SmtpGuard.STARTTLS_REQUIRE);
        assertThat(guard.connectStarting(transport, null, "smtp", null, -1, null, null)).as("null host is localhost")
                .isEqualTo(SmtpGuard.STARTTLS_REQUIRE);
    }

    @Test
    void missingStartTlsBecomesATemporary454WithTheGoverningSetting() throws Exception {
        PolicySmtpGuard guard = guard();
        guard.connectStarting(transport, null, "smtp", "mx.example", 25, null, null);

        Throwable thrown = guard.connectFinished(transport,
                new MessagingException("STARTTLS is required but host does not support STARTTLS"), null);

        assertThat(thrown).isInstanceOf(SMTPSendFailedException.class);
        assertThat(((SMTPSendFailedException) thrown).getReturnCode()).isEqualTo(454);
        assertThat(thrown.getMessage()).startsWith("454 4.7.4 TLS is required, but was not offered by host mx.example.")
                .contains("policy \"encrypt\" from mailtls.level (system property -Dmailtls.level)").contains("message deferred");
    }

    @Test
    void rejectActionGivesAPermanent554() throws Exception {
        PolicySmtpGuard guard = guard("mailtls.policy.mx.example", "encrypt action=reject");
        guard.connectStarting(transport, null, "smtp", "mx.example", 25, null, null);

        Throwable thrown = guard.connectFinished(transport,
                new MessagingException("STARTTLS is required but host does not support STARTTLS"), null);

        assertThat(((SMTPSendFailedException) thrown).getReturnCode()).isEqualTo(554);
        assertThat(thrown.getMessage()).startsWith("554 5.7.4 ").contains("message rejected (action=reject)");
    }

    @Test
    void failedHandshakeBecomesA4_7_5() throws Exception {
        PolicySmtpGuard guard = guard();
        guard.connectStarting(transport, null, "smtp", "mx.example", 25, null, null);
        MessagingException library = new MessagingException("Could not convert socket to TLS",
                new SSLHandshakeException("no cipher suites in common"));

        Throwable thrown = guard.connectFinished(transport, library, null);

        assertThat(thrown.getMessage()).startsWith("454 4.7.5 TLS handshake with mx.example failed: no cipher suites in common");
        assertThat(thrown.getCause()).isSameAs(library);
    }

    @Test
    void serverRefusingStartTlsIsAPolicyFailure() throws Exception {
        serverOffersStartTls();
        PolicySmtpGuard guard = guard();
        guard.connectStarting(transport, null, "smtp", "mx.example", 25, null, null);

        Throwable thrown = guard.connectFinished(transport, new MessagingException("454 4.7.0 TLS not available due to local problem"), null);

        assertThat(thrown.getMessage()).startsWith("454 4.7.4 TLS is required, but host mx.example refused to start TLS: 454 4.7.0");
    }

    @Test
    void anyErrorReplyToStartTlsIsAPolicyFailureNotJust454() throws Exception {
        serverOffersStartTls();
        PolicySmtpGuard guard = guard();
        guard.connectStarting(transport, null, "smtp", "mx.example", 25, null, null);

        Throwable thrown = guard.connectFinished(transport, new MessagingException("554 5.7.3 TLS not available"), null);

        assertThat(((SMTPSendFailedException) thrown).getReturnCode()).as("action=defer, whatever the server's code").isEqualTo(454);
        assertThat(thrown.getMessage()).startsWith("454 4.7.4 TLS is required, but host mx.example refused to start TLS: 554 5.7.3");
    }

    @Test
    void errorReplyAfterTheHandshakeWasSetUpIsNoRefusalOfStartTls() throws Exception {
        serverOffersStartTls();
        PolicySmtpGuard guard = guard();
        guard.connectStarting(transport, null, "smtp", "mx.example", 25, "user", "secret");
        guard.startTlsProperties(new Properties(), "mail.smtp", "mx.example", 25);
        MessagingException authFailed = new MessagingException("454 4.7.0 Temporary authentication failure");

        assertThat(guard.connectFinished(transport, authFailed, null)).isSameAs(authFailed);
    }

    @Test
    void errorReplyWhereStartTlsWasNotOfferedIsNoRefusalOfStartTls() throws Exception {
        PolicySmtpGuard guard = guard();
        guard.connectStarting(transport, null, "smtp", "mx.example", 25, null, null);
        // EHLO failed, so no STARTTLS was offered; the library fell back to HELO, which failed too.
        MessagingException heloRefused = new MessagingException("550 5.7.1 Client host rejected");

        assertThat(guard.connectFinished(transport, heloRefused, null)).isSameAs(heloRefused);
    }

    @Test
    void errorReplyInPlaintextUnderAuditWhereStartTlsWasNotOfferedIsTheApplications() throws Exception {
        PolicySmtpGuard guard = guard("mailtls.action", "audit");
        guard.connectStarting(transport, null, "smtp", "mx.example", 25, "user", "secret");
        // The transport's EHLO offered no STARTTLS: the reply refused AUTH, not STARTTLS.
        MessagingException authFailed = new MessagingException("535 5.7.8 Error: authentication failed");

        assertThat(guard.connectFinished(transport, authFailed, null)).isSameAs(authFailed);
    }

    @Test
    void failedHandshakeAtLevelMayIsRefusedBecauseTheAgentCannotRetryInPlaintext() throws Exception {
        PolicySmtpGuard guard = guard("mailtls.level", "may");
        guard.connectStarting(transport, null, "smtp", "mx.example", 25, null, null);
        MessagingException library = new MessagingException("Could not convert socket to TLS",
                new SSLHandshakeException("Received fatal alert: handshake_failure"));

        assertThat(guard.connectFinished(transport, library, null).getMessage())
                .startsWith("454 4.7.5 TLS handshake with mx.example failed: Received fatal alert: handshake_failure.")
                .contains("policy \"may\"");
    }

    @Test
    void failedHandshakeAtLevelNoneIsTheApplications() throws Exception {
        PolicySmtpGuard guard = guard("mailtls.level", "none");
        guard.connectStarting(transport, null, "smtp", "mx.example", 465, null, null);
        MessagingException library = new MessagingException("Could not connect to SMTP host",
                new SSLHandshakeException("PKIX path building failed"));

        assertThat(guard.connectFinished(transport, library, null)).isSameAs(library);
    }

    @Test
    void failuresThatAreNotPolicyDecisionsReachTheApplicationUnchanged() throws Exception {
        PolicySmtpGuard guard = guard();
        guard.connectStarting(transport, null, "smtp", "mx.example", 25, null, null);
        MessagingException refused = new MessagingException("Couldn't connect to host", new IOException("Connection refused"));

        assertThat(guard.connectFinished(transport, refused, null)).isSameAs(refused);
    }

    @Test
    void plaintextSuccessUnderARequiringLevelIsTurnedIntoARefusal() throws Exception {
        PolicySmtpGuard guard = guard();
        guard.connectStarting(transport, null, "smtp", "mx.example", 25, null, null);

        Throwable thrown = guard.connectFinished(transport, null, new java.net.Socket());

        assertThat(thrown.getMessage()).startsWith("454 4.7.4 TLS is required, but the connection to mx.example is in plaintext");
    }

    @Test
    void connectThatAsksTheAuthenticatorFirstIsNoDecisionYet() throws Exception {
        PolicySmtpGuard guard = guard();
        guard.connectStarting(transport, null, "smtp", "mx.example", 25, null, null);

        // protocolConnect returned false without connecting (no socket, nothing thrown): JavaMail
        // asks the Authenticator and calls protocolConnect again.
        assertThat(guard.connectFinished(transport, null, null)).isNull();
    }

    @Test
    void tlsThatOurTrustManagerDidNotVerifyIsRefusedWhereAuthenticationIsRequired() throws Exception {
        PolicySmtpGuard guard = guard("mailtls.level", "verify");
        guard.connectStarting(transport, null, "smtp", "mx.example", 25, null, null);
        // An SSLSocket from elsewhere (e.g. handed over by the application): its session holds no outcome of ours.
        java.net.Socket foreign = javax.net.ssl.SSLSocketFactory.getDefault().createSocket();

        Throwable thrown = guard.connectFinished(transport, null, foreign);

        assertThat(thrown.getMessage()).startsWith("454 4.7.5 Server certificate not verified: the TLS connection to"
                + " mx.example was not made by MailTLS Guard's trust manager");
        assertThat(foreign.isClosed()).isTrue();
    }

    @Test
    void plaintextUnderMayIsAccepted() throws Exception {
        PolicySmtpGuard guard = guard("mailtls.level", "may");
        guard.connectStarting(transport, null, "smtp", "mx.example", 25, null, null);

        assertThat(guard.connectFinished(transport, null, new java.net.Socket())).isNull();
    }

    @Test
    void establishedConnectionHasNagleOffEvenOnASocketTheApplicationMade() throws Exception {
        PolicySmtpGuard guard = guard("mailtls.level", "may");
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                java.net.Socket socket = new java.net.Socket(server.getInetAddress(), server.getLocalPort())) {
            guard.connectStarting(transport, null, "smtp", "mx.example", server.getLocalPort(), null, null);

            assertThat(guard.connectFinished(transport, null, socket)).isNull();
            assertThat(socket.getTcpNoDelay()).isTrue();
        }
    }

    @Test
    void connectionsToOneDestinationUnderOneRequirementShareOneTlsContext() throws Exception {
        PolicySmtpGuard guard = guard();

        Object first = handshakeFactory(guard, "mx.example");
        Object second = handshakeFactory(guard, "mx.example");
        Object otherHost = handshakeFactory(guard, "mx2.example");

        assertThat(first).isInstanceOf(javax.net.ssl.SSLSocketFactory.class).isSameAs(second);
        assertThat(otherHost).isNotSameAs(first);
    }

    /** The socket factory the guard gives the library for the STARTTLS handshake of a new connection to {@code host}. */
    private Object handshakeFactory(PolicySmtpGuard guard, String host) throws Exception {
        guard.connectStarting(transport, null, "smtp", host, 25, null, null);
        Properties props = guard.startTlsProperties(new Properties(), "mail.smtp", host, 25);
        return props.get("mail.smtp.ssl.socketFactory");
    }

    @Test
    void imapAndPop3PropertiesAreNotTouched() throws Exception {
        Properties props = new Properties();
        props.setProperty("mail.imap.ssl.trust", "*");

        assertThat(dev.mailtls.agent.bootstrap.Hooks.startTls(props, "mail.imap", "imap.example", 993)).isSameAs(props);
    }

    @Test
    void blockingGuardRefusesBeforeAnyConnection() {
        BlockingSmtpGuard guard = new BlockingSmtpGuard("mailtls.properties:3: unknown key");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> guard.connectStarting(transport, null, "smtp", "mx.example", 25, null, null))
                .isInstanceOf(SMTPSendFailedException.class)
                .hasMessageStartingWith("454 4.7.5 MailTLS Guard blocks SMTP sending: its configuration is unusable (mailtls.properties:3: unknown key)");
    }
}
