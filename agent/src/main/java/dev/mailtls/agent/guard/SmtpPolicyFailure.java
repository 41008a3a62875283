package dev.mailtls.agent.guard;

import dev.mailtls.engine.RefusalReply;
import java.lang.reflect.Constructor;

/**
 * Builds the exceptions an application sees when the policy refuses a connection: the mail
 * library's own {@code SMTPSendFailedException} (a {@code MessagingException} every sender
 * already handles), with an SMTP reply code and enhanced status code that say whether to retry.
 * {@code defer} gives {@code 454 4.7.x} (temporary: Apache James, Spring and MTAs retry), and
 * {@code reject} gives {@code 554 5.7.x} (permanent). The class is found through the transport's
 * own class loader, so javax, jakarta and Angus applications each get their own type.
 */
final class SmtpPolicyFailure {
    private SmtpPolicyFailure() {
    }

    /**
     * The exception for the policy's refusal {@code reply}: its code, and its whole line as the text.
     *
     * @param cause the library's original exception, kept as the cause
     */
    static Exception forRefusal(Object transport, RefusalReply reply, Throwable cause) {
        return create(transport, reply.code(), reply.toString(), cause);
    }

    /**
     * The library's {@code SMTPSendFailedException} with reply {@code code} and {@code text}
     * (which starts with the code and enhanced status code, as a server's reply line would).
     */
    static Exception create(Object transport, int code, String text, Throwable cause) {
        try {
            String smtpPackage = transport.getClass().getName();
            // SMTPSSLTransport and SMTPTransport live in the same package as SMTPSendFailedException.
            smtpPackage = smtpPackage.substring(0, smtpPackage.lastIndexOf('.'));
            Class<?> type = Class.forName(smtpPackage + ".SMTPSendFailedException", false, transport.getClass().getClassLoader());
            for (Constructor<?> constructor : type.getConstructors()) {
                // (String cmd, int rc, String err, Exception ex, Address[] valid, Address[] validUnsent, Address[] invalid)
                if (constructor.getParameterTypes().length == 7) {
                    Exception exception = (Exception) constructor.newInstance("STARTTLS", code, text,
                            cause instanceof Exception ? (Exception) cause : null, null, null, null);
                    return exception;
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError unexpected) {
            // Fall through: a plain MessagingException still fails the connection, with the same text.
        }
        return messagingException(transport, text, cause);
    }

    /** Whether {@code thrown} is a mail API's {@code MessagingException} (javax or jakarta), which applications handle. */
    static boolean isMessagingException(Throwable thrown) {
        for (Class<?> type = thrown.getClass(); type != null; type = type.getSuperclass()) {
            if (type.getName().endsWith(".mail.MessagingException")) {
                return true;
            }
        }
        return false;
    }

    /** The API's plain {@code MessagingException}, found beside {@code Service} in the transport's hierarchy. */
    private static Exception messagingException(Object transport, String text, Throwable cause) {
        try {
            for (Class<?> type = transport.getClass(); type != null; type = type.getSuperclass()) {
                if (type.getName().endsWith(".Service")) {
                    String api = type.getName().substring(0, type.getName().lastIndexOf('.'));
                    Class<?> messaging = Class.forName(api + ".MessagingException", false, type.getClassLoader());
                    return (Exception) messaging.getConstructor(String.class, Exception.class)
                            .newInstance(text, cause instanceof Exception ? (Exception) cause : null);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError unexpected) {
            // Last resort below: still a failure, never a success.
        }
        return new java.io.IOException(text, cause);
    }
}
