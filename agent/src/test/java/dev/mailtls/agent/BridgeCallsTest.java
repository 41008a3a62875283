package dev.mailtls.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.mail.smtp.SMTPSendFailedException;
import com.sun.mail.smtp.SMTPTransport;
import dev.mailtls.agent.bootstrap.Hooks;
import dev.mailtls.agent.bootstrap.SmtpGuard;
import jakarta.mail.Address;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.lang.instrument.Instrumentation;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The advice the agent weaves into a real Jakarta Mail 2.0 {@code SMTPTransport} (retransformed in
 * this JVM with the agent's own transformer) reaches the bridge through reflection: each of its
 * calls arrives at the installed guard with the transport's arguments, and what the guard throws
 * reaches the application as the very same exception, not wrapped in reflection's. No network:
 * the guard refuses, or queues the connection.
 */
class BridgeCallsTest {
    private static Instrumentation instrumentation;
    private static MailClassTransformer transformer;

    @BeforeAll
    static void weave() throws Exception {
        instrumentation = ByteBuddyAgent.install();
        transformer = AgentInstaller.transformer();
        instrumentation.addTransformer(transformer, true);
        instrumentation.retransformClasses(SMTPTransport.class);
    }

    @AfterAll
    static void restore() throws Exception {
        Hooks.install(null);
        instrumentation.removeTransformer(transformer);
        instrumentation.retransformClasses(SMTPTransport.class);
    }

    private static SMTPTransport transport() throws Exception {
        return (SMTPTransport) Session.getInstance(new Properties()).getTransport("smtp");
    }

    @Test
    void aRefusalReachesTheApplicationAsTheGuardThrewIt() throws Exception {
        SMTPSendFailedException refusal = new SMTPSendFailedException("MAIL FROM", 454,
                "454 4.7.4 TLS is required, but was not offered", null, null, null, null);
        RecordingGuard guard = new RecordingGuard(refusal, SmtpGuard.STARTTLS_REQUIRE);
        Hooks.install(guard);

        assertThatThrownBy(() -> transport().connect("mx.example.test", 25, "user", "password")).isSameAs(refusal);
        // The library's Service.connect asks isConnected() before it connects.
        assertThat(guard.calls).containsExactly("isQueued", "connectStarting smtp mx.example.test:25 user");
    }

    @Test
    void aQueuedConnectionGoesThroughEveryCallOfTheBridge() throws Exception {
        RecordingGuard guard = new RecordingGuard(null, SmtpGuard.QUEUED);
        Hooks.install(guard);
        SMTPTransport transport = transport();
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        Address[] recipients = {new InternetAddress("user@example.test")};

        transport.connect("mx.example.test", 25, "user", "password");
        boolean connected = transport.isConnected();
        transport.sendMessage(message, recipients);
        transport.close();

        assertThat(connected).isTrue();
        assertThat(guard.calls).containsExactly("isQueued", "connectStarting smtp mx.example.test:25 user", "isQueued",
                "sendMessage " + recipients.length, "closing");
        assertThat(guard.transports).containsOnly(transport);
    }

    /** Records the calls it gets; refuses every connection with {@code refusal}, or answers {@code mode}. */
    private static final class RecordingGuard implements SmtpGuard {
        final List<String> calls = new ArrayList<>();
        final List<Object> transports = new ArrayList<>();
        private final Exception refusal;
        private final int mode;
        private boolean queued;

        RecordingGuard(Exception refusal, int mode) {
            this.refusal = refusal;
            this.mode = mode;
        }

        @Override
        public int connectStarting(Object transport, Object session, String protocol, String host, int port, String user,
                String password) throws Exception {
            calls.add("connectStarting " + protocol + " " + host + ":" + port + " " + user);
            transports.add(transport);
            if (refusal != null) {
                throw refusal;
            }
            queued = mode == QUEUED;
            return mode;
        }

        @Override
        public Properties startTlsProperties(Properties props, String prefix, String host, int port) {
            calls.add("startTlsProperties");
            return props;
        }

        @Override
        public Properties socketProperties(Properties props, String prefix, String host, int port, boolean useSsl) {
            calls.add("socketProperties");
            return props;
        }

        @Override
        public Throwable connectFinished(Object transport, Throwable thrown, Socket socket) {
            calls.add("connectFinished");
            return thrown;
        }

        @Override
        public boolean isQueued(Object transport) {
            calls.add("isQueued");
            transports.add(transport);
            return queued;
        }

        @Override
        public boolean sendMessage(Object transport, Object session, Object message, Object addresses) {
            calls.add("sendMessage " + ((Object[]) addresses).length);
            transports.add(transport);
            return queued;
        }

        @Override
        public void closing(Object transport) {
            calls.add("closing");
            transports.add(transport);
            queued = false;
        }
    }
}
