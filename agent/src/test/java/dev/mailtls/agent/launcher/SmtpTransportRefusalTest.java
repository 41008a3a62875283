package dev.mailtls.agent.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * When the agent fails to start, the SMTP transports of every supported library must not load at
 * all (no mail leaves unguarded); the rest of the mail library, IMAP and POP3 included, loads as
 * usual.
 */
class SmtpTransportRefusalTest {
    private final SmtpTransportRefusal refusal = new SmtpTransportRefusal("a test's failure");

    private static byte[] classFile(String internalName) throws IOException {
        try (InputStream in = SmtpTransportRefusalTest.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
            assertThat(in).as(internalName).isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void theSmtpTransportCannotBeDefined() throws IOException {
        byte[] original = classFile("com/sun/mail/smtp/SMTPTransport");

        byte[] given = refusal.transform(getClass().getClassLoader(), "com/sun/mail/smtp/SMTPTransport", null, null,
                original);

        assertThat(given).isNotNull().isNotEqualTo(original);
        assertThatThrownBy(() -> new ClassLoader(null) {
            Class<?> define() {
                return defineClass("com.sun.mail.smtp.SMTPTransport", given, 0, given.length);
            }
        }.define()).isInstanceOf(ClassFormatError.class);
        assertThat(refusal.transform(null, "org/eclipse/angus/mail/smtp/SMTPTransport", null, null, original))
                .as("Angus Mail 2's transport").isNotNull().isNotEqualTo(original);
    }

    @Test
    void everythingElseLoadsUnchanged() throws IOException {
        assertThat(refusal.transform(getClass().getClassLoader(), "com/sun/mail/imap/IMAPStore", null, null,
                classFile("com/sun/mail/imap/IMAPStore"))).isNull();
        assertThat(refusal.transform(getClass().getClassLoader(), "com/sun/mail/util/SocketFetcher", null, null,
                classFile("com/sun/mail/util/SocketFetcher"))).isNull();
        assertThat(refusal.transform(null, null, null, null, new byte[0])).as("a hidden class has no name").isNull();
    }
}
