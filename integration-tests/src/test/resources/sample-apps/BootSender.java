// An ordinary Spring Boot application that sends mail with the JavaMailSender that Spring Boot
// configures from spring.mail.* (here: command-line arguments, SSL bundles included), unaware of
// MailTLS Guard. Run from an executable jar, its classes and jars are loaded by Spring Boot's
// nested-jar class loader. Arguments: --sample.subject-prefix=, --sample.scenarios=NAME,HOST,PORT[,...];...
// (one message per scenario, to user@DOMAIN, HOST without its "mx.", with the subject
// SUBJECT-PREFIX-NAME, the configured sender pointed at HOST and PORT in turn), and spring.mail.*
// as the application likes. Output: see SampleOutput, plus one line "LOADER <class loader class>"
// naming the loader of the mail classes.
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.mail.MailException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSenderImpl;

@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class BootSender implements CommandLineRunner {
    private final JavaMailSenderImpl sender;
    private final String subjectPrefix;
    private final String scenarios;

    public BootSender(JavaMailSenderImpl sender, @Value("${sample.subject-prefix}") String subjectPrefix,
            @Value("${sample.scenarios}") String scenarios) {
        this.sender = sender;
        this.subjectPrefix = subjectPrefix;
        this.scenarios = scenarios;
    }

    public static void main(String[] args) {
        SpringApplication.run(BootSender.class, args);
    }

    @Override
    public void run(String... args) {
        System.out.println("LOADER " + sender.getClass().getClassLoader().getClass().getName());
        for (String scenario : scenarios.split(";")) {
            String[] spec = scenario.split(",");
            SampleOutput.begin(spec[0]);
            sender.setHost(spec[1]);
            sender.setPort(Integer.parseInt(spec[2]));
            SimpleMailMessage message = new SimpleMailMessage();
            message.setFrom("sender@client.test");
            message.setTo("user@" + spec[1].substring("mx.".length()));
            message.setSubject(subjectPrefix + "-" + spec[0]);
            message.setText("A message from the MailTLS Guard integration tests, sent from a Spring Boot application.\n");
            try {
                sender.send(message);
                SampleOutput.sent(spec[0]);
            } catch (MailException e) {
                SampleOutput.failed(spec[0], e);
            }
        }
    }
}
