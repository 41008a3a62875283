package dev.mailtls.agent.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.mail.smtp.SMTPMessage;
import com.sun.mail.smtp.SMTPSSLTransport;
import com.sun.mail.smtp.SMTPTransport;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.NewsAddress;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * What the queue takes from a message, on a real Jakarta Mail 2.0.1 through reflection only: the
 * envelope and bytes {@code SMTPTransport.sendMessage} would have sent, and the message rebuilt
 * from those bytes for the retry, unchanged.
 */
class HostMailLibraryTest {
    private final Session session = Session.getInstance(new Properties());
    private final HostMailLibrary library = library(SMTPTransport.class);

    private static HostMailLibrary library(Class<?> transportClass) {
        try {
            return HostMailLibrary.of(transportClass);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    private MimeMessage message() throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("Header Sender <header@client.test>"));
        message.setRecipients(Message.RecipientType.TO, "to@example.org");
        message.setRecipients(Message.RecipientType.BCC, "hidden@example.org");
        message.setSubject("queued");
        message.setText("body\n");
        message.saveChanges();
        return message;
    }

    @Test
    void theSenderIsChosenAsTheLibraryChoosesMailFrom() throws Exception {
        MimeMessage message = message();
        assertThat(library.envelopeSender(session, "smtp", message)).as("the From header").isEqualTo("header@client.test");

        Properties withFrom = new Properties();
        withFrom.setProperty("mail.smtp.from", "<bounces@client.test>");
        assertThat(library.envelopeSender(Session.getInstance(withFrom), "smtp", message)).as("mail.smtp.from")
                .isEqualTo("bounces@client.test");
        assertThat(library.envelopeSender(Session.getInstance(withFrom), "smtps", message)).as("only for its protocol")
                .isEqualTo("header@client.test");

        SMTPMessage smtpMessage = new SMTPMessage(message);
        smtpMessage.setEnvelopeFrom("<>");
        assertThat(library.envelopeSender(Session.getInstance(withFrom), "smtp", smtpMessage)).as("SMTPMessage's null sender")
                .isEmpty();
    }

    @Test
    void recipientsAreTheArgumentWithGroupsExpanded() throws Exception {
        Address[] addresses = {new InternetAddress("a@example.org"),
            new InternetAddress("team: b@example.org, c@example.org;")};

        assertThat(library.envelopeRecipients(addresses)).containsExactly("a@example.org", "b@example.org", "c@example.org");
    }

    @Test
    void whatTheLibraryRefusesIsRefusedWithItsOwnExceptions() throws Exception {
        assertThatThrownBy(() -> library.checkSendable(message(), new Address[0])).isInstanceOf(SendFailedException.class)
                .hasMessage("No recipient addresses");
        assertThatThrownBy(() -> library.envelopeRecipients(new Address[] {new NewsAddress("comp.mail")}))
                .isInstanceOf(MessagingException.class).hasMessage("comp.mail is not an InternetAddress");
    }

    @Test
    void theStoredBytesLeaveOutBccAndComeBackUnchanged() throws Exception {
        MimeMessage original = message();
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        library.writeMessage(original, stored);
        String text = stored.toString(StandardCharsets.ISO_8859_1.name());
        assertThat(text).contains("To: to@example.org").doesNotContain("hidden@example.org");

        Object rebuilt = library.message(library.session(new Properties()), new ByteArrayInputStream(stored.toByteArray()),
                "bounces@client.test");

        assertThat(rebuilt).isInstanceOf(SMTPMessage.class);
        assertThat(((SMTPMessage) rebuilt).getEnvelopeFrom()).isEqualTo("bounces@client.test");
        assertThat(((SMTPMessage) rebuilt).getMessageID()).isEqualTo(original.getMessageID());
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        ((SMTPMessage) rebuilt).writeTo(again);
        assertThat(again.toByteArray()).isEqualTo(stored.toByteArray());
        assertThat(Arrays.asList((Object[]) library.addresses(Arrays.asList("x@example.org"))))
                .containsExactly(new InternetAddress("x@example.org"));
    }

    @Test
    void theImplementationClassesAreFoundBesideTheTransport() throws Exception {
        assertThat(library.implementationClass("SMTPSSLTransport")).isEqualTo(SMTPSSLTransport.class);
        assertThat(library(SMTPSSLTransport.class).implementationClass("SMTPMessage")).isEqualTo(SMTPMessage.class);
        assertThatThrownBy(() -> HostMailLibrary.of(String.class)).isInstanceOf(ClassNotFoundException.class);
    }
}
