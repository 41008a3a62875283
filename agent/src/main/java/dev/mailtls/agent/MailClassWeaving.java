package dev.mailtls.agent;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.asm.AsmVisitorWrapper;

/**
 * One instrumentation as {@link AgentInstaller} registers it: the mail classes it applies to, by
 * name, and the advice it weaves into them. The advice is made (Byte Buddy reads the advice
 * classes) the first time it is needed, by the first such class or by the start-up's warm-up, and
 * kept: it is immutable and serves every class loader. A class file the agent jar has woven already,
 * with the same classes around it ({@link PrewovenClasses}), is taken from there: then neither the
 * advice nor Byte Buddy is needed at all.
 *
 * <p>The warm-up may also weave ahead the mail classes it finds in the application's class path
 * ({@link #weaveAhead}), while the application starts. The JVM's class file of such a class is
 * then compared byte for byte with the one woven ahead, from the same class loader, and the woven
 * result is handed over once and dropped; any other class file is woven when it loads.
 */
abstract class MailClassWeaving {
    private final List<String> typeNames;
    private volatile AsmVisitorWrapper visitor;
    /** Woven ahead, by binary name; guarded by {@code this}. */
    private final Map<String, WovenAhead> wovenAhead = new HashMap<String, WovenAhead>();

    /** @param typeNames binary names, e.g. {@code com.sun.mail.smtp.SMTPTransport} */
    MailClassWeaving(List<String> typeNames) {
        this.typeNames = typeNames;
    }

    List<String> typeNames() {
        return typeNames;
    }

    /** The advice, on the methods it applies to. */
    abstract AsmVisitorWrapper advice();

    final AsmVisitorWrapper visitor() {
        AsmVisitorWrapper made = visitor;
        if (made == null) {
            synchronized (this) {
                // A mail class that loads while the warm-up makes the advice waits for it, rather
                // than making it a second time on a core the warm-up needs.
                made = visitor;
                if (made == null) {
                    made = advice();
                    visitor = made;
                }
            }
        }
        return made;
    }

    /**
     * {@code classFile} of {@code typeName}, loaded by {@code loader}, with the advice woven in.
     * Waits while the warm-up weaves ahead, rather than doing the same work twice on a busy core.
     */
    final synchronized byte[] weave(ClassLoader loader, String typeName, byte[] classFile) {
        // The first class of that name to load takes it or drops it: nothing is kept for longer.
        WovenAhead ahead = wovenAhead.remove(typeName);
        if (ahead != null && ahead.loader == loader && Arrays.equals(ahead.classFile, classFile)) {
            return ahead.woven;
        }
        return wovenNow(loader, typeName, classFile);
    }

    /** Pre-woven if the agent jar has it for this class file in this loader, else woven here. */
    private byte[] wovenNow(ClassLoader loader, String typeName, byte[] classFile) {
        byte[] prewoven = PrewovenClasses.shipped().find(loader, typeName, classFile);
        return prewoven != null ? prewoven : AdviceWeaver.weave(loader, typeName, classFile, visitor());
    }

    /**
     * Weaves ahead the classes of this instrumentation that {@code loader} has as resources, without
     * loading them; returns whether it found any.
     */
    final synchronized boolean weaveAhead(ClassLoader loader) throws IOException {
        boolean found = false;
        for (String typeName : typeNames) {
            byte[] classFile = PrewovenClasses.resource(loader, typeName.replace('.', '/') + ".class");
            if (classFile != null) {
                byte[] woven = wovenNow(loader, typeName, classFile);
                wovenAhead.put(typeName, new WovenAhead(loader, classFile, woven));
                found = true;
            }
        }
        return found;
    }

    /** A class file as the class loader has it, and that class file woven. */
    private static final class WovenAhead {
        final ClassLoader loader;
        final byte[] classFile;
        final byte[] woven;

        WovenAhead(ClassLoader loader, byte[] classFile, byte[] woven) {
            this.loader = loader;
            this.classFile = classFile;
            this.woven = woven;
        }
    }
}
