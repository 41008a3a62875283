package dev.mailtls.demo.app;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Properties;

/**
 * The demonstration's application: an ordinary Jakarta Mail sender that knows nothing of MailTLS
 * Guard. It asks for STARTTLS but does not require it, and trusts any certificate
 * ({@code mail.smtp.ssl.trust=*}), as many real applications are configured, then logs in and
 * sends one message. The demo runs it in a JVM of its own, on the Jakarta Mail jars it extracts;
 * this class only uses the Jakarta Mail API.
 *
 * <p>Arguments: {@code HOST PORT USER PASSWORD}. Prints one line: {@code RESULT SENT} or
 * {@code RESULT FAILED <exception class>: <message>}.
 */
public final class SampleSender {
    private SampleSender() {
    }

    public static void main(String[] args) {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        Properties props = new Properties();
        props.setProperty("mail.smtp.starttls.enable", "true");
        props.setProperty("mail.smtp.ssl.trust", "*");
        props.setProperty("mail.smtp.auth", "true");
        props.setProperty("mail.smtp.connectiontimeout", "20000");
        props.setProperty("mail.smtp.timeout", "20000");
        Session session = Session.getInstance(props);
        try {
            MimeMessage message = new MimeMessage(session);
            message.setFrom(new InternetAddress("billing@shop.demo.test"));
            message.setRecipients(Message.RecipientType.TO, InternetAddress.parse("customer@" + host));
            message.setSubject("Your invoice");
            message.setText("Dear customer,\n\nplease find your invoice total: 42.00 EUR.\n");
            message.saveChanges();
            Transport transport = session.getTransport("smtp");
            try {
                transport.connect(host, port, args[2], args[3]);
                transport.sendMessage(message, message.getAllRecipients());
            } finally {
                transport.close();
            }
            System.out.println("RESULT SENT");
        } catch (MessagingException failed) {
            System.out.println("RESULT FAILED " + failed.getClass().getName() + ": "
                    + String.valueOf(failed.getMessage()).replace('\n', ' '));
        }
    }
}
