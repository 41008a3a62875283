package dev.mailtls.agent;

import java.lang.instrument.Instrumentation;

/**
 * The agent's entry points: {@code -javaagent:mailtls-agent.jar[=config=FILE,log=FILE]} at JVM
 * start ({@link #premain}) and {@code java -jar mailtls-agent.jar attach PID} into a running JVM
 * ({@link #agentmain}). Never throws into the host application.
 *
 * <p>This class must not mention the bridge types ({@code Hooks}, {@code SmtpGuard}) or anything
 * that does: the JVM would load them through the application class loader while verifying it,
 * before {@link AgentInstaller#installBridge} has put them into the bootstrap class loader, and
 * the two copies would then clash. So the rest of the start-up is loaded by name afterwards.
 */
public final class AgentMain {
    /** Byte Buddy's safe-mode switch; the shaded jar renames it with Byte Buddy's package. */
    private static final String BYTE_BUDDY_SAFE_MODE = "net.bytebuddy.safe";

    private AgentMain() {
    }

    public static void premain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation);
    }

    public static void agentmain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation);
    }

    private static void start(String arguments, Instrumentation instrumentation) {
        // The agent needs no sun.misc.Unsafe (its advice is inlined, its bridge goes in through
        // Instrumentation); this keeps the shaded Byte Buddy from touching it, and Java 24+ from
        // printing a deprecation warning into the host application's output.
        if (System.getProperty(BYTE_BUDDY_SAFE_MODE) == null) {
            System.setProperty(BYTE_BUDDY_SAFE_MODE, "true");
        }
        try {
            boolean alreadyAttached = AgentInstaller.bridgeInstalled();
            if (!alreadyAttached) {
                AgentInstaller.installBridge(instrumentation);
            }
            Class.forName("dev.mailtls.agent.AgentStartup", true, AgentMain.class.getClassLoader())
                    .getDeclaredMethod("start", String.class, Instrumentation.class, boolean.class)
                    .invoke(null, arguments, instrumentation, alreadyAttached);
        } catch (Throwable failure) {
            // Without the bridge nothing is instrumented: the application sends as it would without the agent.
            System.err.println("MailTLS Guard: failed to start, SMTP connections are NOT governed: " + failure);
            failure.printStackTrace();
        }
    }
}
