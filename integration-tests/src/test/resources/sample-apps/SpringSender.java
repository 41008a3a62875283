// An ordinary application sending through Spring's JavaMailSenderImpl, unaware of MailTLS Guard.
// The same source runs on Spring 5 (javax.mail) and Spring 6 (jakarta.mail): it names no mail
// API type. Output: see SampleOutput.
import java.util.Properties;
import org.springframework.mail.MailException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSenderImpl;

public class SpringSender {
    /**
     * Arguments: HOST PORT RECIPIENT SUBJECT STYLE [USER PASSWORD]. STYLE starttls: what a
     * Spring Boot application gets from spring.mail.properties.mail.smtp.starttls.enable=true
     * (opportunistic: STARTTLS when offered, plaintext otherwise).
     */
    public static void main(String[] args) {
        String style = args[4];
        if (!style.equals("starttls")) {
            throw new IllegalArgumentException("unknown style " + style);
        }
        JavaMailSenderImpl sender = new JavaMailSenderImpl();
        sender.setHost(args[0]);
        sender.setPort(Integer.parseInt(args[1]));
        Properties props = new Properties();
        props.setProperty("mail.smtp.starttls.enable", "true");
        props.setProperty("mail.smtp.connectiontimeout", "20000");
        props.setProperty("mail.smtp.timeout", "20000");
        if (args.length > 6) {
            sender.setUsername(args[5]);
            sender.setPassword(args[6]);
            props.setProperty("mail.smtp.auth", "true");
        }
        sender.setJavaMailProperties(props);
        SimpleMailMessage message = new SimpleMailMessage();
        message.setFrom("sender@client.test");
        message.setTo(args[2]);
        message.setSubject(args[3]);
        message.setText("A message from the MailTLS Guard integration tests, sent with Spring.\n");
        try {
            sender.send(message);
            SampleOutput.sent();
        } catch (MailException e) {
            SampleOutput.failed(e);
        }
    }
}
