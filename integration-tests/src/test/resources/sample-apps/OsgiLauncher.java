// An application that embeds an OSGi framework as application servers do: whichever framework's
// FrameworkFactory is on the class path (Apache Felix or Eclipse Equinox), with its default
// settings, so no boot delegation beyond java.*. It installs and starts the bundles it is given
// (the mail library, its activation, the sender bundle), then hands the arguments that follow to
// the sender bundle's service. Output: "FRAMEWORK <name> <version>", then what the sender prints.
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

public class OsgiLauncher {
    /** Arguments: STORAGE-FOLDER BUNDLE-JAR[,BUNDLE-JAR...] SENDER-ARGUMENTS... */
    public static void main(String[] args) throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put(Constants.FRAMEWORK_STORAGE, args[0]);
        settings.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        Framework framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(settings);
        framework.start();
        try {
            System.out.println("FRAMEWORK " + framework.getSymbolicName() + " " + framework.getVersion());
            BundleContext context = framework.getBundleContext();
            List<Bundle> bundles = new ArrayList<>();
            for (String jar : args[1].split(",")) {
                bundles.add(context.installBundle(new File(jar).toURI().toString()));
            }
            for (Bundle bundle : bundles) {
                bundle.start();
            }
            ServiceReference<?>[] senders = context.getServiceReferences(Consumer.class.getName(), "(sample=sender)");
            if (senders == null) {
                throw new IllegalStateException("the sender bundle registered no service");
            }
            @SuppressWarnings("unchecked")
            Consumer<String[]> sender = (Consumer<String[]>) context.getService(senders[0]);
            sender.accept(Arrays.copyOfRange(args, 2, args.length));
        } finally {
            framework.stop();
            framework.waitForStop(30000);
        }
    }
}
