package dev.mailtls.agent.instrumentation;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.mailtls.agent.bootstrap.Hooks;
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
 * changed. IMAP and POP3 use the same class and are left alone ({@link Hooks#isSmtp}).
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
                @Advice.Argument(3) String prefix) throws java.io.IOException {
            // The real port comes from the socket: *.socketFactory.port may differ from what was asked.
            props = Hooks.startTls(props, prefix, host, socket.getPort());
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
                @Advice.Argument(4) boolean useSsl) throws java.io.IOException {
            props = Hooks.openSocket(props, prefix, host, port, useSsl);
        }

        /**
         * Turns Nagle's algorithm off on the SMTP socket the library is about to use (plain, or
         * TLS from the start): SMTP after STARTTLS otherwise stalls about 40 ms per command on
         * delayed acknowledgements. A socket that refuses the option is closed and the connection
         * fails; it is never used half set up. Runs only when {@code getSocket} returned normally.
         */
        @Advice.OnMethodExit
        static void exit(@Advice.Return Socket socket, @Advice.Argument(3) String prefix) throws java.io.IOException {
            if (socket != null && Hooks.isSmtp(prefix)) {
                try {
                    socket.setTcpNoDelay(true);
                } catch (java.io.IOException | RuntimeException failed) {
                    socket.close();
                    throw failed;
                }
            }
        }
    }
}
