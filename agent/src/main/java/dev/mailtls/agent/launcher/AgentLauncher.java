package dev.mailtls.agent.launcher;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.security.CodeSource;
import java.util.List;
import java.util.jar.JarFile;

/**
 * The agent jar's entry points: {@code -javaagent:mailtls-agent.jar[=config=FILE,log=FILE]} at JVM
 * start ({@link #premain}), {@code java -jar mailtls-agent.jar attach PID} into a running JVM
 * ({@link #agentmain}), and the {@code mailtls} command-line tool ({@link #main}). Apart from the
 * bootstrap bridge ({@code dev.mailtls.agent.bootstrap}), this package is all of the jar that the
 * host application's class loaders can see; everything else is loaded by an
 * {@link AgentClassLoader} of its own (OpenTelemetry's javaagent does the same).
 *
 * <p>As an agent it does the least that must happen before the application's {@code main}: it
 * appends the jar to the bootstrap class loader's search path, so that the bridge classes (the only
 * classes at the jar's root besides this package) are bootstrap classes that every class loader
 * sees, and hands over to {@code AgentStartup} in the isolated class loader. Never throws into the
 * host application.
 *
 * <p>This class must not mention the bridge types: the JVM would load them through the system class
 * loader while verifying it, before the jar is on the bootstrap search path, and the two copies
 * would then clash.
 */
public final class AgentLauncher {
    /** Byte Buddy's safe-mode switch; the shaded jar renames it with Byte Buddy's package. */
    private static final String BYTE_BUDDY_SAFE_MODE = "net.bytebuddy.safe";
    private static final String BRIDGE = "dev.mailtls.agent.bootstrap.Hooks";
    private static final String AGENT_STARTUP = "dev.mailtls.agent.AgentStartup";
    private static final String COMMAND_LINE = "dev.mailtls.cli.Main";

    /** One isolated class loader per JVM, also when the agent is attached a second time. */
    private static AgentClassLoader isolated;

    private AgentLauncher() {
    }

    public static void premain(String arguments, Instrumentation instrumentation) {
        startAgent(arguments, instrumentation);
    }

    public static void agentmain(String arguments, Instrumentation instrumentation) {
        startAgent(arguments, instrumentation);
    }

    /** {@code java -jar mailtls-agent.jar COMMAND ...}: the command-line tool, from the isolated class loader. */
    public static void main(String[] args) throws Throwable {
        // Libraries that look up classes or services through the context class loader see the agent's.
        Thread.currentThread().setContextClassLoader(isolatedClassLoader());
        invoke(commandLine().getMethod("main", String[].class), (Object) args);
    }

    /**
     * Runs one command line of the tool in this JVM and returns its exit code, as {@code main} would
     * exit with (the demo's integration test runs the packaged jar this way).
     */
    public static int run(List<String> args, PrintStream out, PrintStream err) throws Throwable {
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        thread.setContextClassLoader(isolatedClassLoader());
        try {
            Method run = commandLine().getMethod("run", List.class, PrintStream.class, PrintStream.class);
            return (Integer) invoke(run, args, out, err);
        } finally {
            thread.setContextClassLoader(context);
        }
    }

    private static Class<?> commandLine() throws IOException, ClassNotFoundException {
        return Class.forName(COMMAND_LINE, true, isolatedClassLoader());
    }

    private static Object invoke(Method method, Object... arguments) throws Throwable {
        try {
            return method.invoke(null, arguments);
        } catch (InvocationTargetException failed) {
            throw failed.getCause();
        }
    }

    private static synchronized void startAgent(String arguments, Instrumentation instrumentation) {
        // The agent needs no sun.misc.Unsafe (its advice is inlined, its bridge is on the bootstrap
        // search path); this keeps the shaded Byte Buddy from touching it, and Java 24+ from
        // printing a deprecation warning into the host application's output.
        if (System.getProperty(BYTE_BUDDY_SAFE_MODE) == null) {
            System.setProperty(BYTE_BUDDY_SAFE_MODE, "true");
        }
        try {
            AgentClassLoader loader = isolatedClassLoader();
            boolean alreadyAttached = bridgeInstalled();
            if (!alreadyAttached) {
                instrumentation.appendToBootstrapClassLoaderSearch(loader.jar());
            }
            Object instrumented = Class.forName(AGENT_STARTUP, true, loader)
                    .getMethod("start", String.class, Instrumentation.class, boolean.class)
                    .invoke(null, arguments, instrumentation, alreadyAttached);
            if (!Boolean.TRUE.equals(instrumented)) {
                // AgentStartup has said why on stderr.
                refuseSmtp(instrumentation, "the mail classes could not be instrumented");
            }
        } catch (Throwable failure) {
            System.err.println("MailTLS Guard: failed to start: " + failure);
            failure.printStackTrace();
            refuseSmtp(instrumentation, failure.toString());
        }
    }

    /**
     * Without the agent's transformer the mail classes would load unwoven: fail closed instead, so
     * that the SMTP transports do not load at all. A transport loaded before an attach keeps running
     * unwoven; that is said on stderr.
     */
    private static void refuseSmtp(Instrumentation instrumentation, String why) {
        try {
            instrumentation.addTransformer(new SmtpTransportRefusal(why));
            System.err.println("MailTLS Guard: SMTP transports that load from now on are refused (fail closed);"
                    + " one already loaded is NOT governed");
        } catch (Throwable alsoFailed) {
            System.err.println("MailTLS Guard: could not even refuse SMTP, connections are NOT governed: " + alsoFailed);
        }
    }

    /** Whether an earlier attach already put the bridge into the bootstrap class loader. */
    private static boolean bridgeInstalled() {
        try {
            Class.forName(BRIDGE, false, null);
            return true;
        } catch (ClassNotFoundException notYet) {
            return false;
        }
    }

    private static synchronized AgentClassLoader isolatedClassLoader() throws IOException {
        if (isolated == null) {
            File file = agentJar();
            isolated = new AgentClassLoader(new JarFile(file, false), file);
        }
        return isolated;
    }

    /** The jar this class was loaded from. */
    private static File agentJar() throws IOException {
        CodeSource source = AgentLauncher.class.getProtectionDomain().getCodeSource();
        File file;
        try {
            file = source == null ? null : new File(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException notAFile) {
            throw new IOException("the agent's location " + source.getLocation() + " is not a file", notAFile);
        }
        if (file == null || !file.isFile()) {
            throw new IOException("MailTLS Guard runs from its jar (mailtls-agent.jar), not from " + file
                    + "; build it with Maven");
        }
        return file;
    }
}
