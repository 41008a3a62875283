package dev.mailtls.agent;

import java.io.IOException;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The agent's one {@link ClassFileTransformer}. The JVM hands it every class it loads; it recognises
 * the few mail classes the agent changes by their name alone (one map lookup, nothing else for the
 * host's other classes) and weaves their advice in ({@link MailClassWeaving}).
 *
 * <p>A mail class that cannot be woven as it loads is not let through unwoven, which would send
 * mail past the policy: the JVM gets a class file it must refuse ({@link #REFUSED}), so the class
 * does not load ({@code ClassFormatError}, then {@code NoClassDefFoundError}), the application
 * cannot send, and an error on stderr and in the log says why. A class already loaded when the
 * agent attaches keeps its old code if retransforming it fails: the JVM offers no way to refuse it
 * then, so the error says that connections through it are not governed.
 */
final class MailClassTransformer implements ClassFileTransformer {
    private static final String LOGGER = "dev.mailtls.agent";
    /**
     * What the JVM gets for a mail class that could not be woven: four bytes without the class-file
     * magic number, which it refuses to define. Not empty: an empty result may be taken as "no
     * change", which would load the class unwoven.
     */
    static final byte[] REFUSED = {0, 0, 0, 0};

    /** In the order registered, which is the order the first connection needs them. */
    private final List<MailClassWeaving> registered;
    /** By internal name ({@code com/sun/mail/smtp/SMTPTransport}), as the JVM passes it. */
    private final Map<String, MailClassWeaving> weavings = new HashMap<String, MailClassWeaving>();

    MailClassTransformer(List<MailClassWeaving> weavings) {
        this.registered = new ArrayList<MailClassWeaving>(weavings);
        for (MailClassWeaving weaving : weavings) {
            for (String typeName : weaving.typeNames()) {
                this.weavings.put(typeName.replace('.', '/'), weaving);
            }
        }
    }

    /**
     * Registers this transformer, then retransforms the mail classes that are already loaded (the
     * agent attached to a running JVM), so that they are woven like those that come later.
     */
    void installOn(Instrumentation instrumentation) {
        instrumentation.addTransformer(this, true);
        List<Class<?>> loaded = new ArrayList<Class<?>>();
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            if (weavings.containsKey(type.getName().replace('.', '/')) && instrumentation.isModifiableClass(type)) {
                loaded.add(type);
            }
        }
        for (Class<?> type : loaded) {
            try {
                instrumentation.retransformClasses(type);
            } catch (Throwable failed) {
                report(notRetransformed(type.getName(), type.getClassLoader()), failed);
            }
        }
    }

    /**
     * Weaves ahead, in the order the first connection needs them, the mail classes that
     * {@code loader} (the application's class path) holds, taking those the agent jar has woven
     * already without making their advice; with no such class, makes the advice and weaves it once
     * into a class of the agent's own: so that the first mail class to load, on the application's
     * thread, neither makes the advice nor loads Byte Buddy's code for it.
     */
    void warmUp(ClassLoader loader) throws IOException {
        for (MailClassWeaving weaving : registered) {
            if (!weaving.weaveAhead(loader)) {
                AdviceWeaver.warmUp(weaving.visitor());
            }
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
            ProtectionDomain protectionDomain, byte[] classFile) {
        MailClassWeaving weaving = className == null ? null : weavings.get(className);
        if (weaving == null) {
            return null;
        }
        String typeName = className.replace('/', '.');
        try {
            byte[] woven = weaving.weave(loader, typeName, classFile);
            Logger.getLogger(LOGGER).fine("mailtls: instrumented " + typeName + (classBeingRedefined != null ? " (retransformed)" : ""));
            return woven;
        } catch (Throwable failed) {
            if (classBeingRedefined != null) {
                // Retransforming on attach: the JVM keeps the loaded class whatever is returned.
                report(notRetransformed(typeName, loader), failed);
                return null;
            }
            report(typeName + " (class loader " + loader + ") could not be instrumented, so it is not loaded: the"
                    + " application cannot send mail through it (fail closed)", failed);
            return REFUSED.clone();
        }
    }

    private static String notRetransformed(String typeName, ClassLoader loader) {
        return typeName + " (class loader " + loader + ") was loaded before the agent attached and could not be"
                + " instrumented: SMTP connections through it are NOT governed by the policy; start the application"
                + " with -javaagent instead";
    }

    /** One SEVERE log line, and the same on stderr, which an operator sees even with the log going elsewhere. */
    private static void report(String what, Throwable error) {
        Logger.getLogger(LOGGER).log(Level.SEVERE, "mailtls: " + what, error);
        System.err.println("MailTLS Guard: " + what + ": " + error);
    }
}
