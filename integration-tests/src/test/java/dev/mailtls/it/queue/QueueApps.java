package dev.mailtls.it.queue;

import dev.mailtls.it.agent.MailLibrary;
import dev.mailtls.it.agent.SenderRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import javax.tools.ToolProvider;

/**
 * The queue tests' sample application, {@code QueueApp} ({@code src/test/resources/queue-apps/}),
 * compiled at test time for Java 8 once per {@link MailLibrary}, and the command line that runs
 * it with the agent.
 */
final class QueueApps {
    private static final Map<MailLibrary, Path> COMPILED = new ConcurrentHashMap<>();

    private QueueApps() {
    }

    /** The folder holding {@code QueueApp.class} built against {@code library}. */
    static Path compiled(MailLibrary library) {
        return COMPILED.computeIfAbsent(library, QueueApps::compile);
    }

    /**
     * {@code java -javaagent:mailtls-agent.jar=config=CONFIG [options] -cp ... QueueApp ARGUMENTS},
     * resolving host names from {@code hostsFile}.
     */
    static List<String> command(MailLibrary library, Path config, Path hostsFile, List<String> jvmOptions,
            List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(SenderRun.TEST_JAVA_HOME.resolve("bin").resolve("java").toString());
        command.add("-javaagent:" + SenderRun.AGENT_JAR + "=config=" + config);
        command.add("-Djdk.net.hosts.file=" + hostsFile);
        command.addAll(jvmOptions);
        command.add("-cp");
        List<Path> classPath = new ArrayList<>();
        classPath.add(compiled(library));
        classPath.addAll(library.jars());
        command.add(classPath.stream().map(path -> path.toAbsolutePath().toString())
                .collect(Collectors.joining(java.io.File.pathSeparator)));
        command.add("QueueApp");
        command.addAll(arguments);
        return command;
    }

    private static Path compile(MailLibrary library) {
        Path folder = Path.of("target", "queue-apps", library.id()).toAbsolutePath();
        try (InputStream in = QueueApps.class.getResourceAsStream("/queue-apps/QueueApp.java.template")) {
            if (in == null) {
                throw new IllegalStateException("no resource /queue-apps/QueueApp.java.template");
            }
            Files.createDirectories(folder);
            Path source = folder.resolve("QueueApp.java");
            Files.writeString(source, new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("MAILAPI", library.api()));
            String classPath = library.jars().stream().map(path -> path.toAbsolutePath().toString())
                    .collect(Collectors.joining(java.io.File.pathSeparator));
            int status = ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "8", "-nowarn",
                    "-Xlint:-options", "-d", folder.toString(), "-cp", classPath, source.toString());
            if (status != 0) {
                throw new IllegalStateException("QueueApp did not compile against " + library.id());
            }
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
