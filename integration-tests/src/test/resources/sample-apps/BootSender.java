// An ordinary Spring Boot application that sends one message with the JavaMailSender that Spring
// Boot configures from spring.mail.* (here: command-line arguments), unaware of MailTLS Guard.
// Run from an executable jar, its classes and jars are loaded by Spring Boot's nested-jar class
// loader. Arguments: --spring.mail.host=, --spring.mail.port=, --sample.to=, --sample.subject=,
// and spring.mail.properties.* as the application likes. Output: see SampleOutput, plus one line
// "LOADER <class loader class>" naming the loader of the mail classes.
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.mail.MailException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;

@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class BootSender implements CommandLineRunner {
    private final JavaMailSender sender;
    private final String to;
    private final String subject;

    public BootSender(JavaMailSender sender, @Value("${sample.to}") String to, @Value("${sample.subject}") String subject) {
        this.sender = sender;
        this.to = to;
        this.subject = subject;
    }

    public static void main(String[] args) {
        SpringApplication.run(BootSender.class, args);
    }

    @Override
    public void run(String... args) {
        System.out.println("LOADER " + sender.getClass().getClassLoader().getClass().getName());
        SimpleMailMessage message = new SimpleMailMessage();
        message.setFrom("sender@client.test");
        message.setTo(to);
        message.setSubject(subject);
        message.setText("A message from the MailTLS Guard integration tests, sent from a Spring Boot application.\n");
        try {
            sender.send(message);
            SampleOutput.sent();
        } catch (MailException e) {
            SampleOutput.failed(e);
        }
    }
}
