// An ordinary application sending through Apache Commons Email, unaware of MailTLS Guard.
// Output: see SampleOutput.
import org.apache.commons.mail.EmailException;
import org.apache.commons.mail.SimpleEmail;

public class CommonsEmailSender {
    /**
     * Arguments: scenarios SUBJECT-PREFIX NAME,HOST,PORT,STYLE[,USER,PASSWORD]...: one message per
     * scenario, to user@DOMAIN (HOST without its "mx.") with the subject SUBJECT-PREFIX-NAME. STYLE
     * is starttls (setStartTLSEnabled: opportunistic STARTTLS on PORT) or ssl-on-connect
     * (setSSLOnConnect: TLS from the first byte on PORT, through an SSL socket factory class on
     * protocol smtp).
     */
    public static void main(String[] args) {
        for (int i = 2; i < args.length; i++) {
            String[] spec = args[i].split(",");
            SampleOutput.begin(spec[0]);
            try {
                send(spec[1], spec[2], args[1] + "-" + spec[0], spec[3],
                        spec.length > 5 ? spec[4] : null, spec.length > 5 ? spec[5] : null);
                SampleOutput.sent(spec[0]);
            } catch (EmailException e) {
                SampleOutput.failed(spec[0], e);
            }
        }
    }

    private static void send(String host, String port, String subject, String style, String user, String password)
            throws EmailException {
        SimpleEmail email = new SimpleEmail();
        email.setHostName(host);
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
        if (user != null) {
            email.setAuthentication(user, password);
        }
        email.setFrom("sender@client.test");
        email.addTo("user@" + host.substring("mx.".length()));
        email.setSubject(subject);
        email.setMsg("A message from the MailTLS Guard integration tests, sent with Commons Email.\n");
        email.send();
    }
}
