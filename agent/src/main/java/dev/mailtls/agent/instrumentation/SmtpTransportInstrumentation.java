package dev.mailtls.agent.instrumentation;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.mailtls.agent.bootstrap.SmtpGuard;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
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
 *
 * <p>The advice of this package is inlined into the host's mail classes, so it may name JDK types
 * only: the class loader of an OSGi bundle or a JBoss Modules module delegates nothing but
 * {@code java.*} to the JVM's class loaders, and would not resolve the agent's bridge by name.
 * Each call into the bridge ({@code dev.mailtls.agent.bootstrap.Hooks}, a bootstrap class: the
 * agent appends its jar to the bootstrap search path) therefore goes through JDK reflection,
 * {@code Class.forName} with the bootstrap class loader ({@code null}), which never asks the host's
 * class loader and which no jar on the application's class path can shadow, and the bridge's {@code Method}
 * constant of that call, found by field name (no class literals: see {@code Hooks}); under a
 * microsecond per call, a handful of calls per connection. What the bridge throws is unwrapped
 * from the {@code InvocationTargetException}, so the application sees the very exception the
 * guard threw.
 * A bridge that cannot be reached fails the call with {@link #UNREACHABLE}: never unprotected.
 */
public final class SmtpTransportInstrumentation {
    /**
     * The bridge's class name. A compile-time constant, like {@link #UNREACHABLE}: javac copies
     * its value into the advice, which thus refers to no class of the agent.
     */
    static final String BRIDGE = "dev.mailtls.agent.bootstrap.Hooks";
    /** The message of the failure when the advice cannot call the bridge; the connection is not made. */
    static final String UNREACHABLE = "MailTLS Guard cannot reach its bridge " + BRIDGE
            + " in the bootstrap class loader, so SMTP connections are refused; see the cause";

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
     *
     * <p>With a durable queue ({@code mailtls.queue.dir}) a deferral instead leaves the transport
     * connected in the application's eyes with no socket behind it ({@code serverSocket} null, so
     * the library's own {@code close()} sends no QUIT): either the policy deferred before any
     * connection and the method body is skipped, or the connection was refused on the way and
     * has been closed. {@link QueuedTransportInstrumentation} takes it from there.
     */
    static final class ProtocolConnectAdvice {
        private ProtocolConnectAdvice() {
        }

        /** Returns 0 to connect, or {@code SmtpGuard.QUEUED} / {@code CREDENTIALS_FIRST} to skip the body. */
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static int enter(@Advice.This Object transport,
                @Advice.Argument(0) String host,
                @Advice.Argument(1) int port,
                @Advice.Argument(2) String user,
                @Advice.Argument(3) String password,
                @Advice.FieldValue("name") String protocol,
                @Advice.FieldValue("session") Object session,
                @Advice.FieldValue(value = "useStartTLS", readOnly = false) boolean useStartTls,
                @Advice.FieldValue(value = "requireStartTLS", readOnly = false) boolean requireStartTls) throws Throwable {
            int mode;
            try {
                mode = (Integer) ((Method) Class.forName(BRIDGE, false, null)
                        .getField("CONNECT_STARTING").get(null))
                        .invoke(null, transport, session, protocol, host, port, user, password);
            } catch (InvocationTargetException refused) {
                throw refused.getCause();
            } catch (ReflectiveOperationException | RuntimeException | LinkageError unreachable) {
                throw new IllegalStateException(UNREACHABLE, unreachable);
            }
            useStartTls = mode != SmtpGuard.STARTTLS_OFF;
            requireStartTls = mode == SmtpGuard.STARTTLS_REQUIRE;
            return mode == SmtpGuard.QUEUED || mode == SmtpGuard.CREDENTIALS_FIRST ? mode : 0;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.This Object transport,
                @Advice.Enter int skipped,
                @Advice.FieldValue(value = "serverSocket", readOnly = false) Socket socket,
                @Advice.Return(readOnly = false) boolean connected,
                @Advice.Thrown(readOnly = false) Throwable thrown) {
            if (skipped != 0) {
                connected = skipped == SmtpGuard.QUEUED;
                return;
            }
            boolean queued;
            try {
                Class<?> bridge = Class.forName(BRIDGE, false, null);
                thrown = (Throwable) ((Method) bridge.getField("CONNECT_FINISHED").get(null))
                        .invoke(null, transport, thrown, socket);
                queued = thrown == null && (Boolean) ((Method) bridge.getField("IS_QUEUED").get(null)).invoke(null, transport);
            } catch (InvocationTargetException failed) {
                thrown = failed.getCause();
                return;
            } catch (ReflectiveOperationException | RuntimeException | LinkageError unreachable) {
                thrown = new IllegalStateException(UNREACHABLE, unreachable);
                return;
            }
            if (queued) {
                // The guard closed the refused socket; without it close() and isConnected() do no I/O.
                socket = null;
                connected = true;
            }
        }
    }
}
