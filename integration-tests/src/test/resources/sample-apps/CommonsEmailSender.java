// An ordinary application sending through Apache Commons Email, unaware of MailTLS Guard.
// Output: see SampleOutput.
import org.apache.commons.mail.EmailException;
import org.apache.commons.mail.SimpleEmail;

public class CommonsEmailSender {
    /**
     * Arguments: HOST PORT RECIPIENT SUBJECT STYLE [USER PASSWORD]. STYLE is starttls
     * (setStartTLSEnabled: opportunistic STARTTLS on PORT) or ssl-on-connect (setSSLOnConnect:
     * TLS from the first byte on PORT, through an SSL socket factory class on protocol smtp).
     */
    public static void main(String[] args) {
        String port = args[1];
        String style = args[4];
        SimpleEmail email = new SimpleEmail();
        email.setHostName(args[0]);
        if (style.equals("starttls")) {
            email.setSmtpPort(Integer.parseInt(port));
            email.setStartTLSEnabled(true);
        } else if (style.equals("ssl-on-connect")) {
            email.setSSLOnConnect(true);
            email.setSslSmtpPort(port);
        } else {
            throw new IllegalArgumentException("unknown style " + style);
        }
        email.setSocketConnectionTimeout(20000);
        email.setSocketTimeout(20000);
        if (args.length > 6) {
            email.setAuthentication(args[5], args[6]);
        }
        try {
            email.setFrom("sender@client.test");
            email.addTo(args[2]);
            email.setSubject(args[3]);
            email.setMsg("A message from the MailTLS Guard integration tests, sent with Commons Email.\n");
            email.send();
            SampleOutput.sent();
        } catch (EmailException e) {
            SampleOutput.failed(e);
        }
    }
}
