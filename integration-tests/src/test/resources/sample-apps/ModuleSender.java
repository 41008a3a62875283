// The main class of an ordinary JBoss Modules module that sends mail with the JavaMail module it
// depends on, unaware of MailTLS Guard: one line "LOADER <class loader class of the SMTP
// transport>", then SampleSender with the arguments given (see SampleSender).
import java.util.Properties;
import javax.mail.Session;

public class ModuleSender {
    public static void main(String[] args) throws Exception {
        System.out.println("LOADER "
                + Session.getInstance(new Properties()).getTransport("smtp").getClass().getClassLoader().getClass().getName());
        SampleSender.main(args);
    }
}
