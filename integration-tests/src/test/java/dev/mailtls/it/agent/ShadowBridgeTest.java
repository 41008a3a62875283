package dev.mailtls.it.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.TestFactory;

/**
 * An application whose class path carries its own {@code dev.mailtls.agent.bootstrap.Hooks}, ahead
 * of the agent jar (which {@code -javaagent} appends to the system class path): a stale copy, or a
 * jar planted to switch the policy off. This one lets every connection through with opportunistic
 * STARTTLS and ignores the guard installed into it. The advice must still call the agent's own
 * bridge (a bootstrap class, which nothing on the class path can shadow): the scenarios end as they
 * do without the impostor, stripped STARTTLS with no AUTH or MAIL FROM in clear included.
 */
class ShadowBridgeTest extends AgentBedTest {
    private static final MailLibrary LIBRARY = MailLibrary.JAVAX_MAIL_1_6_2;

    /**
     * The impostor: the bridge's shape (the {@code Method} constants the advice reads, the static
     * methods they name), with nothing behind it.
     */
    private static final String IMPOSTOR = """
            package dev.mailtls.agent.bootstrap;

            import java.lang.reflect.Method;
            import java.util.Properties;

            public final class Hooks {
                public static final Method CONNECT_STARTING = find("connectStarting");
                public static final Method START_TLS = find("startTls");
                public static final Method OPEN_SOCKET = find("openSocket");
                public static final Method CONNECT_FINISHED = find("connectFinished");
                public static final Method IS_QUEUED = find("isQueued");
                public static final Method SEND_MESSAGE = find("sendMessage");
                public static final Method CLOSING = find("closing");

                public static void install(Object guard) {
                }

                public static int connectStarting(Object transport, Object session, String protocol, String host,
                        int port, String user, String password) {
                    return 1;
                }

                public static Properties startTls(Properties props, String prefix, String host, int port) {
                    return props;
                }

                public static Properties openSocket(Properties props, String prefix, String host, int port,
                        boolean useSsl) {
                    return props;
                }

                public static Throwable connectFinished(Object transport, Throwable thrown, java.net.Socket socket) {
                    return thrown;
                }

                public static boolean isQueued(Object transport) {
                    return false;
                }

                public static boolean sendMessage(Object transport, Object session, Object message, Object addresses) {
                    return false;
                }

                public static void closing(Object transport) {
                }

                private static Method find(String name) {
                    for (Method method : Hooks.class.getMethods()) {
                        if (method.getName().equals(name)) {
                            return method;
                        }
                    }
                    throw new IllegalStateException(name);
                }
            }
            """;

    private static List<Scenario> scenarios() {
        return Scenario.startTlsOutcomes("starttls").stream()
                .filter(scenario -> List.of("dane", "strip", "mismatch").contains(scenario.name())).toList();
    }

    @TestFactory
    Stream<DynamicContainer> anImpostorBridgeOnTheClassPathIsNeverCalled() {
        List<Path> classPath = new ArrayList<>();
        classPath.add(impostor());
        classPath.add(SampleApps.compiled(LIBRARY));
        classPath.addAll(LIBRARY.jars());
        String agent = AgentBed.agentConfig(dir, Scenario.RULES.toArray(new String[0]));
        SenderRun run = AgentBed.onBed(SenderRun.application(classPath, "SampleSender")).agent(agent);
        return Stream.of(new ScenarioRun("impostor Hooks ahead of the agent jar", run, ScenarioRun::sampleAppArguments,
                scenarios(), LIBRARY.smtpPackage(), false).tests());
    }

    private static Path impostor() {
        try {
            Path folder = Path.of("target", "impostor-bridge").toAbsolutePath();
            Path source = folder.resolve("src").resolve("Hooks.java");
            Files.createDirectories(source.getParent());
            Files.writeString(source, IMPOSTOR);
            Path classes = folder.resolve("classes");
            int status = ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "8", "-nowarn",
                    "-Xlint:-options", "-d", classes.toString(), source.toString());
            if (status != 0) {
                throw new IllegalStateException("the impostor bridge did not compile");
            }
            return classes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
