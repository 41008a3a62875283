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
     * Arguments: scenarios SUBJECT-PREFIX NAME,HOST,PORT,STYLE[,USER,PASSWORD]...: one message per
     * scenario, to user@DOMAIN (HOST without its "mx.") with the subject SUBJECT-PREFIX-NAME, each
     * with a Mailer of its own. STYLE is the name of a TransportStrategy: SMTP (STARTTLS when
     * offered, plaintext otherwise), SMTP_TLS (STARTTLS required) or SMTPS (implicit TLS).
     */
    public static void main(String[] args) {
        for (int i = 2; i < args.length; i++) {
            String[] spec = args[i].split(",");
            SampleOutput.begin(spec[0]);
            String host = spec[1];
            Email email = EmailBuilder.startingBlank()
                    .from("sender@client.test")
                    .to("user@" + host.substring("mx.".length()))
                    .withSubject(args[1] + "-" + spec[0])
                    .withPlainText("A message from the MailTLS Guard integration tests, sent with Simple Java Mail.\n")
                    .buildEmail();
            Mailer mailer = MailerBuilder.withSMTPServer(host, Integer.valueOf(spec[2]),
                            spec.length > 5 ? spec[4] : null, spec.length > 5 ? spec[5] : null)
                    .withTransportStrategy(TransportStrategy.valueOf(spec[3]))
                    .withSessionTimeout(20000)
                    .buildMailer();
            try {
                mailer.sendMail(email);
                SampleOutput.sent(spec[0]);
            } catch (MailException e) {
                SampleOutput.failed(spec[0], e);
            }
        }
    }
}
