package dev.mailtls.agent.launcher;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;

/**
 * What stands in for the agent when it failed to start: without its transformer the mail classes
 * would load unwoven and send past the policy, so this one refuses to let the SMTP transports of
 * every supported library load at all (the JVM gets a class file it must reject). The application
 * then cannot send mail, fail closed, as with a broken configuration; IMAP and POP3 are not
 * touched. JDK types only: it must work when nothing else of the agent does.
 */
final class SmtpTransportRefusal implements ClassFileTransformer {
    /** {@code SMTPSSLTransport} ({@code smtps}) extends these, so it cannot load either. */
    private static final String[] TRANSPORTS = {"com/sun/mail/smtp/SMTPTransport", "org/eclipse/angus/mail/smtp/SMTPTransport"};
    /** No class-file magic number: the JVM refuses to define it. Not empty, which may mean "no change". */
    private static final byte[] REFUSED = {0, 0, 0, 0};

    private final String why;

    /** @param why the start-up failure, repeated on stderr when a transport is refused */
    SmtpTransportRefusal(String why) {
        this.why = why;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
            ProtectionDomain protectionDomain, byte[] classFile) {
        for (String transport : TRANSPORTS) {
            if (transport.equals(className)) {
                System.err.println("MailTLS Guard: " + className.replace('/', '.') + " is not loaded, so no mail can be"
                        + " sent: the agent failed to start (" + why + ")");
                return REFUSED.clone();
            }
        }
        return null;
    }
}
