package dev.mailtls.agent.instrumentation;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.mail.util.SocketFetcher;
import dev.mailtls.agent.bootstrap.Hooks;
import dev.mailtls.agent.guard.PolicySmtpGuard;
import dev.mailtls.config.ConfigLoader;
import java.lang.instrument.Instrumentation;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Properties;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.matcher.ElementMatchers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The advice on a real Jakarta Mail 2.0 {@code SocketFetcher}, retransformed in this JVM as the
 * agent does it: the socket of every SMTP connection comes back with Nagle's algorithm off, and
 * IMAP's socket is left as the library made it.
 */
class SocketFetcherInstrumentationTest {
    private static Instrumentation instrumentation;
    private static ResettableClassFileTransformer transformer;

    @BeforeAll
    static void instrument() throws Exception {
        instrumentation = ByteBuddyAgent.install();
        transformer = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .type(ElementMatchers.namedOneOf(SocketFetcherInstrumentation.typeNames().toArray(new String[0])))
                .transform((builder, type, loader, module, domain) -> builder.visit(
                        SocketFetcherInstrumentation.getSocketAdvice().on(SocketFetcherInstrumentation.getSocketMethod())))
                .installOn(instrumentation);
        Properties settings = new Properties();
        settings.setProperty("mailtls.dns.servers", "127.0.0.1");
        settings.setProperty("mailtls.level", "may");
        Hooks.install(PolicySmtpGuard.forConfig(ConfigLoader.withOverrides(settings).loadWithoutFile()));
    }

    @AfterAll
    static void restore() {
        Hooks.install(null);
        transformer.reset(instrumentation, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
    }

    @Test
    void smtpSocketComesBackWithNagleOff() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                Socket smtp = SocketFetcher.getSocket("127.0.0.1", server.getLocalPort(), new Properties(), "mail.smtp", false)) {
            assertThat(smtp.getTcpNoDelay()).isTrue();
        }
    }

    @Test
    void imapSocketIsLeftAsTheLibraryMadeIt() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                Socket imap = SocketFetcher.getSocket("127.0.0.1", server.getLocalPort(), new Properties(), "mail.imap", false)) {
            assertThat(imap.getTcpNoDelay()).isFalse();
        }
    }
}
