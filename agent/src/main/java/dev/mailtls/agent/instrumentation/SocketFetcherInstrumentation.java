package dev.mailtls.agent.instrumentation;

import static dev.mailtls.agent.instrumentation.SmtpTransportInstrumentation.BRIDGE;
import static dev.mailtls.agent.instrumentation.SmtpTransportInstrumentation.UNREACHABLE;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.Socket;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code SocketFetcher}, where the mail library makes its sockets: {@code startTLS} for STARTTLS
 * and {@code getSocket} for the connection itself (TLS-on-connect for {@code smtps} and for an SSL
 * socket factory on {@code smtp}, the Commons Email style). Both take the session's properties; the
 * advice hands them a per-call copy whose socket factory is MailTLS Guard's, so the handshake is
 * verified by the policy whatever the application configured, and the shared Session is never
 * changed. IMAP and POP3 use the same class and are left alone: the advice asks the bridge (through
 * JDK reflection, see {@link SmtpTransportInstrumentation}) about the {@code mail.smtp} and
 * {@code mail.smtps} prefixes only. A bridge that cannot be reached fails the call with an
 * {@code IOException}, which the library turns into a failed connection after closing the socket.
 *
 * <p>Every SMTP socket {@code getSocket} returns gets {@code TCP_NODELAY} (the STARTTLS layer gets
 * it from the policy's socket factory too, see {@code ClientTlsContext}): the mail library never
 * sets it, and with Nagle's algorithm each SMTP round trip after STARTTLS waits for a delayed
 * acknowledgement.
 */
public final class SocketFetcherInstrumentation {
    private SocketFetcherInstrumentation() {
    }

    /** The socket classes, by name (see {@link SmtpTransportInstrumentation#typeNames()}). */
    public static List<String> typeNames() {
        return Collections.unmodifiableList(Arrays.asList("com.sun.mail.util.SocketFetcher",
                "org.eclipse.angus.mail.util.SocketFetcher"));
    }

    public static ElementMatcher<MethodDescription> startTlsMethod() {
        return named("startTLS").and(takesArguments(Socket.class, String.class, Properties.class, String.class));
    }

    public static ElementMatcher<MethodDescription> getSocketMethod() {
        return named("getSocket").and(takesArguments(String.class, int.class, Properties.class, String.class, boolean.class));
    }

    public static Advice startTlsAdvice() {
        return Advice.to(StartTlsAdvice.class);
    }

    public static Advice getSocketAdvice() {
        return Advice.to(GetSocketAdvice.class);
    }

    static final class StartTlsAdvice {
        private StartTlsAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Socket socket,
                @Advice.Argument(1) String host,
                @Advice.Argument(value = 2, readOnly = false) Properties props,
                @Advice.Argument(3) String prefix) throws Throwable {
            if ("mail.smtp".equals(prefix) || "mail.smtps".equals(prefix)) {
                try {
                    // The real port comes from the socket: *.socketFactory.port may differ from what was asked.
                    props = (Properties) ((Method) Class.forName(BRIDGE, false, null)
                            .getField("START_TLS").get(null)).invoke(null, props, prefix, host, socket.getPort());
                } catch (InvocationTargetException failed) {
                    throw failed.getCause();
                } catch (ReflectiveOperationException | RuntimeException | LinkageError unreachable) {
                    throw new IOException(UNREACHABLE, unreachable);
                }
            }
        }
    }

    static final class GetSocketAdvice {
        private GetSocketAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) String host,
                @Advice.Argument(1) int port,
                @Advice.Argument(value = 2, readOnly = false) Properties props,
                @Advice.Argument(3) String prefix,
                @Advice.Argument(4) boolean useSsl) throws Throwable {
            if ("mail.smtp".equals(prefix) || "mail.smtps".equals(prefix)) {
                try {
                    props = (Properties) ((Method) Class.forName(BRIDGE, false, null)
                            .getField("OPEN_SOCKET").get(null)).invoke(null, props, prefix, host, port, useSsl);
                } catch (InvocationTargetException failed) {
                    throw failed.getCause();
                } catch (ReflectiveOperationException | RuntimeException | LinkageError unreachable) {
                    throw new IOException(UNREACHABLE, unreachable);
                }
            }
        }

        /**
         * Turns Nagle's algorithm off on the SMTP socket the library is about to use (plain, or
         * TLS from the start): SMTP after STARTTLS otherwise stalls about 40 ms per command on
         * delayed acknowledgements. A socket that refuses the option is closed and the connection
         * fails; it is never used half set up. Runs only when {@code getSocket} returned normally.
         */
        @Advice.OnMethodExit
        static void exit(@Advice.Return Socket socket, @Advice.Argument(3) String prefix) throws IOException {
            if (socket != null && ("mail.smtp".equals(prefix) || "mail.smtps".equals(prefix))) {
                try {
                    socket.setTcpNoDelay(true);
                } catch (IOException | RuntimeException failed) {
                    socket.close();
                    throw failed;
                }
            }
        }
    }
}
