// An ordinary application sending through Spring's JavaMailSenderImpl, unaware of MailTLS Guard.
// The same source runs on Spring 5 (javax.mail) and Spring 6 (jakarta.mail): it names no mail
// API type. Output: see SampleOutput.
import java.util.Properties;
import org.springframework.mail.MailException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSenderImpl;

public class SpringSender {
    /**
     * Arguments: scenarios SUBJECT-PREFIX NAME,HOST,PORT,STYLE[,USER,PASSWORD]...: one message per
     * scenario, to user@DOMAIN (HOST without its "mx.") with the subject SUBJECT-PREFIX-NAME, each
     * with a JavaMailSenderImpl of its own. STYLE starttls: what a Spring Boot application gets from
     * spring.mail.properties.mail.smtp.starttls.enable=true (opportunistic: STARTTLS when
     * offered, plaintext otherwise); smtps: implicit TLS (spring.mail.protocol=smtps).
     */
    public static void main(String[] args) {
        for (int i = 2; i < args.length; i++) {
            String[] spec = args[i].split(",");
            SampleOutput.begin(spec[0]);
            try {
                send(spec[1], Integer.parseInt(spec[2]), args[1] + "-" + spec[0], spec[3],
                        spec.length > 5 ? spec[4] : null, spec.length > 5 ? spec[5] : null);
                SampleOutput.sent(spec[0]);
            } catch (MailException e) {
                SampleOutput.failed(spec[0], e);
            }
        }
    }

    private static void send(String host, int port, String subject, String style, String user, String password) {
        String protocol;
        Properties props = new Properties();
        if (style.equals("starttls")) {
            protocol = "smtp";
            props.setProperty("mail.smtp.starttls.enable", "true");
        } else if (style.equals("smtps")) {
            protocol = "smtps";
        } else {
            throw new IllegalArgumentException("unknown style " + style);
        }
        JavaMailSenderImpl sender = new JavaMailSenderImpl();
        sender.setProtocol(protocol);
        sender.setHost(host);
        sender.setPort(port);
        props.setProperty("mail." + protocol + ".connectiontimeout", "20000");
        props.setProperty("mail." + protocol + ".timeout", "20000");
        if (user != null) {
            sender.setUsername(user);
            sender.setPassword(password);
            props.setProperty("mail." + protocol + ".auth", "true");
        }
        sender.setJavaMailProperties(props);
        SimpleMailMessage message = new SimpleMailMessage();
        message.setFrom("sender@client.test");
        message.setTo("user@" + host.substring("mx.".length()));
        message.setSubject(subject);
        message.setText("A message from the MailTLS Guard integration tests, sent with Spring.\n");
        sender.send(message);
    }
}
