package dev.mailtls.agent.instrumentation;

import static dev.mailtls.agent.instrumentation.SmtpTransportInstrumentation.BRIDGE;
import static dev.mailtls.agent.instrumentation.SmtpTransportInstrumentation.UNREACHABLE;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code SMTPTransport}'s {@code sendMessage}, {@code isConnected} and {@code close} for a
 * transport whose connection the policy deferred into the durable queue (see
 * {@link SmtpTransportInstrumentation}): {@code sendMessage} stores the message instead of
 * sending it, {@code isConnected} answers "connected" without the NOOP it would send, and
 * {@code close} ends the queued state. On every other transport they run unchanged. The three
 * methods have these signatures in every generation, javax.mail 1.4.7 to Angus Mail 2
 * (the {@code Message}/{@code Address[]} types differ by namespace only, so they are not named).
 * Like all advice of this package, they call the bridge through JDK reflection (see
 * {@link SmtpTransportInstrumentation}).
 */
public final class QueuedTransportInstrumentation {
    private QueuedTransportInstrumentation() {
    }

    /** The three advices, for the transport classes of {@link SmtpTransportInstrumentation#types()}. */
    public static AsmVisitorWrapper[] advice() {
        return new AsmVisitorWrapper[] {
            Advice.to(SendMessageAdvice.class).on(sendMessage()),
            Advice.to(IsConnectedAdvice.class).on(isConnected()),
            Advice.to(CloseAdvice.class).on(close()),
        };
    }

    static ElementMatcher<MethodDescription> sendMessage() {
        return named("sendMessage").and(takesArguments(2));
    }

    static ElementMatcher<MethodDescription> isConnected() {
        return named("isConnected").and(takesArguments(0));
    }

    static ElementMatcher<MethodDescription> close() {
        return named("close").and(takesArguments(0));
    }

    /** Skips the library's method when the message went into the queue; a refusal is thrown as is. */
    static final class SendMessageAdvice {
        private SendMessageAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Object transport,
                @Advice.FieldValue("session") Object session,
                @Advice.Argument(0) Object message,
                @Advice.Argument(1) Object addresses) throws Throwable {
            try {
                return (Boolean) ((Method) Class.forName(BRIDGE, false, null)
                        .getField("SEND_MESSAGE").get(null)).invoke(null, transport, session, message, addresses);
            } catch (InvocationTargetException refused) {
                throw refused.getCause();
            } catch (ReflectiveOperationException | RuntimeException | LinkageError unreachable) {
                throw new IllegalStateException(UNREACHABLE, unreachable);
            }
        }
    }

    static final class IsConnectedAdvice {
        private IsConnectedAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Object transport) throws Throwable {
            try {
                return (Boolean) ((Method) Class.forName(BRIDGE, false, null)
                        .getField("IS_QUEUED").get(null)).invoke(null, transport);
            } catch (InvocationTargetException failed) {
                throw failed.getCause();
            } catch (ReflectiveOperationException | RuntimeException | LinkageError unreachable) {
                throw new IllegalStateException(UNREACHABLE, unreachable);
            }
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Enter boolean queued, @Advice.Return(readOnly = false) boolean connected) {
            if (queued) {
                connected = true;
            }
        }
    }

    static final class CloseAdvice {
        private CloseAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object transport) throws Throwable {
            try {
                ((Method) Class.forName(BRIDGE, false, null).getField("CLOSING").get(null))
                        .invoke(null, transport);
            } catch (InvocationTargetException failed) {
                throw failed.getCause();
            } catch (ReflectiveOperationException | RuntimeException | LinkageError unreachable) {
                throw new IllegalStateException(UNREACHABLE, unreachable);
            }
        }
    }
}
