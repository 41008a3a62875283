package dev.mailtls.agent;

import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

import dev.mailtls.agent.instrumentation.QueuedTransportInstrumentation;
import dev.mailtls.agent.instrumentation.SmtpTransportInstrumentation;
import dev.mailtls.agent.instrumentation.SocketFetcherInstrumentation;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.loading.ClassInjector;
import net.bytebuddy.utility.JavaModule;

/**
 * Every setting of the agent's instrumentation in one place: the bootstrap bridge, and one
 * Byte Buddy {@link AgentBuilder} that retransforms the mail classes (also those already loaded,
 * for dynamic attach) without changing their shape.
 */
final class AgentInstaller {
    /** The JDK-typed bridge that inlined advice calls; must be visible from every class loader. */
    private static final String[] BOOTSTRAP_CLASSES = {
        "dev.mailtls.agent.bootstrap.SmtpGuard", "dev.mailtls.agent.bootstrap.Hooks",
    };
    private static final Logger LOG = Logger.getLogger("dev.mailtls.agent");

    private AgentInstaller() {
    }

    /** Whether an earlier attach already put the bridge into the bootstrap class loader. */
    static boolean bridgeInstalled() {
        try {
            Class.forName(BOOTSTRAP_CLASSES[1], false, null);
            return true;
        } catch (ClassNotFoundException notYet) {
            return false;
        }
    }

    /** Puts the bridge classes into the bootstrap class loader, before anything loads them elsewhere. */
    static void installBridge(Instrumentation instrumentation) throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        for (String name : BOOTSTRAP_CLASSES) {
            classes.put(name, classFile(name));
        }
        File folder = Files.createTempDirectory("mailtls-bootstrap").toFile();
        folder.deleteOnExit();
        ClassInjector.UsingInstrumentation.of(folder, ClassInjector.UsingInstrumentation.Target.BOOTSTRAP, instrumentation)
                .injectRaw(classes);
        // The bootstrap loader reads the jar written there for as long as the JVM runs; registered
        // after the folder, it is deleted before it at exit, so the folder can go too.
        File[] written = folder.listFiles();
        if (written != null) {
            for (File file : written) {
                file.deleteOnExit();
            }
        }
    }

    /** Instruments the SMTP transport and socket classes of every supported mail library. */
    static void instrument(Instrumentation instrumentation) {
        new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(new ErrorListener())
                .ignore(nameStartsWith("dev.mailtls."))
                .type(SmtpTransportInstrumentation.types())
                .transform(new AgentBuilder.Transformer() {
                    @Override
                    public DynamicType.Builder<?> transform(DynamicType.Builder<?> builder, TypeDescription type,
                            ClassLoader loader, JavaModule module, java.security.ProtectionDomain domain) {
                        DynamicType.Builder<?> transport = builder
                                .visit(SmtpTransportInstrumentation.advice().on(SmtpTransportInstrumentation.methods()));
                        for (AsmVisitorWrapper queued : QueuedTransportInstrumentation.advice()) {
                            transport = transport.visit(queued);
                        }
                        return transport;
                    }
                })
                .type(SocketFetcherInstrumentation.types())
                .transform(new AgentBuilder.Transformer() {
                    @Override
                    public DynamicType.Builder<?> transform(DynamicType.Builder<?> builder, TypeDescription type,
                            ClassLoader loader, JavaModule module, java.security.ProtectionDomain domain) {
                        return builder
                                .visit(SocketFetcherInstrumentation.startTlsAdvice().on(SocketFetcherInstrumentation.startTlsMethod()))
                                .visit(SocketFetcherInstrumentation.getSocketAdvice().on(SocketFetcherInstrumentation.getSocketMethod()));
                    }
                })
                .installOn(instrumentation);
    }

    private static byte[] classFile(String name) throws IOException {
        String resource = name.replace('.', '/') + ".class";
        try (InputStream in = AgentInstaller.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("the agent jar lacks " + resource);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                bytes.write(buffer, 0, n);
            }
            return bytes.toByteArray();
        }
    }

    /**
     * A mail class that cannot be instrumented sends without the policy: that is logged as an
     * error, with the class and its loader, for the operator to act on.
     */
    private static final class ErrorListener extends AgentBuilder.Listener.Adapter {
        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
            LOG.log(Level.SEVERE, "mailtls: could not instrument " + typeName + " (class loader " + loader
                    + "): SMTP connections through it are NOT governed by the policy", error);
        }

        @Override
        public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                DynamicType dynamicType) {
            LOG.fine("mailtls: instrumented " + type.getName() + (loaded ? " (retransformed)" : ""));
        }
    }

}
