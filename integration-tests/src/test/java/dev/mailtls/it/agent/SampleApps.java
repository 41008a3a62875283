package dev.mailtls.it.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The unmodified sample applications, compiled at test time with the JDK's compiler from the
 * sources in {@code src/test/resources/sample-apps/}, each together with {@code SampleOutput.java}
 * (what they print): {@code SampleSender} once per {@link MailLibrary} from one template, for
 * Java 8, so that the same bytes run on every JVM of the tests; the sender-library applications
 * once per {@link SenderLibrary}, for the oldest Java that library runs on.
 */
public final class SampleApps {
    private static final Map<String, Path> COMPILED = new ConcurrentHashMap<>();

    private SampleApps() {
    }

    /** The folder holding {@code SampleSender.class} built against {@code library}. */
    public static Path compiled(MailLibrary library) {
        return COMPILED.computeIfAbsent(library.id(), id -> compile(id, "SampleSender.java.template",
                source -> source.replace("MAILAPI", library.api()), library.jars(), 8));
    }

    /** The folder holding the main class of {@code sender} built against its jars. */
    public static Path compiled(SenderLibrary sender) {
        return COMPILED.computeIfAbsent(sender.id(), id -> compile(id, sender.mainClass() + ".java",
                source -> source, sender.jars(), sender.release()));
    }

    private interface SourceEdit {
        String apply(String source);
    }

    private static Path compile(String id, String mainResource, SourceEdit edit, List<Path> classPath, int release) {
        try {
            Path folder = Files.createDirectories(Path.of("target", "sample-apps", id).toAbsolutePath());
            String mainName = mainResource.replace(".template", "");
            Path main = folder.resolve(mainName);
            Files.writeString(main, edit.apply(resource(mainResource)));
            Path output = folder.resolve("SampleOutput.java");
            Files.writeString(output, resource("SampleOutput.java"));
            JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
            int status = compiler.run(null, null, null, "--release", String.valueOf(release), "-nowarn", "-Xlint:-options",
                    "-d", folder.toString(), "-cp", SenderRun.classPath(classPath), main.toString(), output.toString());
            if (status != 0) {
                throw new IllegalStateException("the sample application " + mainName + " did not compile against " + id);
            }
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = SampleApps.class.getResourceAsStream("/sample-apps/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no resource /sample-apps/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
