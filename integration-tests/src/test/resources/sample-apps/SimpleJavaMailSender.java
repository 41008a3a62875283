// An ordinary application sending through Simple Java Mail, unaware of MailTLS Guard.
// Output: see SampleOutput.
import org.simplejavamail.MailException;
import org.simplejavamail.api.email.Email;
import org.simplejavamail.api.mailer.Mailer;
import org.simplejavamail.api.mailer.config.TransportStrategy;
import org.simplejavamail.email.EmailBuilder;
import org.simplejavamail.mailer.MailerBuilder;

public class SimpleJavaMailSender {
    /**
     * Arguments: HOST PORT RECIPIENT SUBJECT STYLE [USER PASSWORD]. STYLE is the name of a
     * TransportStrategy: SMTP (STARTTLS when offered, plaintext otherwise) or SMTP_TLS (STARTTLS
     * required).
     */
    public static void main(String[] args) {
        String user = args.length > 6 ? args[5] : null;
        String password = args.length > 6 ? args[6] : null;
        Email email = EmailBuilder.startingBlank()
                .from("sender@client.test")
                .to(args[2])
                .withSubject(args[3])
                .withPlainText("A message from the MailTLS Guard integration tests, sent with Simple Java Mail.\n")
                .buildEmail();
        Mailer mailer = MailerBuilder.withSMTPServer(args[0], Integer.valueOf(args[1]), user, password)
                .withTransportStrategy(TransportStrategy.valueOf(args[4]))
                .withSessionTimeout(20000)
                .buildMailer();
        try {
            mailer.sendMail(email);
            SampleOutput.sent();
        } catch (MailException e) {
            SampleOutput.failed(e);
        }
    }
}
