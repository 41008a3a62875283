package dev.mailtls.agent.instrumentation;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.mailtls.agent.bootstrap.Hooks;
import java.net.Socket;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code SMTPTransport.protocolConnect(String host, int port, String user, String password)}, the
 * one method every SMTP connection of JavaMail 1.4–1.6, Jakarta Mail 1.6–2.0 and Angus Mail 1.x
 * ({@code com.sun.mail.smtp}) and Angus Mail 2.x ({@code org.eclipse.angus.mail.smtp}) goes
 * through, after the application's last setter and before EHLO, AUTH and MAIL FROM. The method
 * and its fields are identical in all of them, so one advice serves every generation;
 * {@code SMTPSSLTransport} ({@code smtps}) inherits it.
 */
public final class SmtpTransportInstrumentation {
    private SmtpTransportInstrumentation() {
    }

    /**
     * The transport classes, by name: the agent never loads the host's mail classes itself, and
     * recognises them by name alone as the JVM loads them.
     */
    public static List<String> typeNames() {
        return Collections.unmodifiableList(Arrays.asList("com.sun.mail.smtp.SMTPTransport",
                "org.eclipse.angus.mail.smtp.SMTPTransport"));
    }

    public static Advice advice() {
        return Advice.to(ProtocolConnectAdvice.class);
    }

    public static ElementMatcher<net.bytebuddy.description.method.MethodDescription> methods() {
        return named("protocolConnect").and(takesArguments(String.class, int.class, String.class, String.class));
    }

    /**
     * Inlined into {@code protocolConnect}. On entry it lets the policy set STARTTLS on or off and
     * mandatory, overriding whatever the application configured; on exit it turns policy failures
     * into SMTP-coded exceptions. No {@code suppress}: an error here must fail the connection.
     */
    static final class ProtocolConnectAdvice {
        private ProtocolConnectAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object transport,
                @Advice.Argument(0) String host,
                @Advice.Argument(1) int port,
                @Advice.FieldValue("name") String protocol,
                @Advice.FieldValue("session") Object session,
                @Advice.FieldValue(value = "useStartTLS", readOnly = false) boolean useStartTls,
                @Advice.FieldValue(value = "requireStartTLS", readOnly = false) boolean requireStartTls) throws Exception {
            int mode = Hooks.connectStarting(transport, session, protocol, host, port);
            useStartTls = mode != 0;
            requireStartTls = mode == 2;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.This Object transport,
                @Advice.FieldValue("serverSocket") Socket socket,
                @Advice.Thrown(readOnly = false) Throwable thrown) {
            thrown = Hooks.connectFinished(transport, thrown, socket);
        }
    }
}
