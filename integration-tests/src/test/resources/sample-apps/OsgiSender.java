// The activator of an ordinary OSGi bundle that sends mail with the JavaMail bundle it imports
// (Import-Package javax.mail, javax.mail.internet), unaware of MailTLS Guard. It offers a service
// that runs SampleSender with the arguments given (see SampleSender), after one line
// "LOADER <class loader class of the SMTP transport>".
import java.util.Hashtable;
import java.util.Properties;
import java.util.function.Consumer;
import javax.mail.NoSuchProviderException;
import javax.mail.Session;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

public class OsgiSender implements BundleActivator {
    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("sample", "sender");
        Consumer<String[]> sender = arguments -> {
            try {
                System.out.println("LOADER " + smtpTransportLoader());
                SampleSender.main(arguments);
            } catch (Exception e) {
                throw new IllegalStateException("the sender failed", e);
            }
        };
        context.registerService(Consumer.class, sender, properties);
    }

    @Override
    public void stop(BundleContext context) {
    }

    static String smtpTransportLoader() throws NoSuchProviderException {
        return Session.getInstance(new Properties()).getTransport("smtp").getClass().getClassLoader().getClass().getName();
    }
}
