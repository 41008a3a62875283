package dev.mailtls.it.agent;

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
        Path folder = Path.of("target", "sample-apps", id).toAbsolutePath();
        String mainName = mainResource.replace(".template", "");
        return compile(folder, List.of(mainResource), edit, classPath, release, mainName + " against " + id);
    }

    /**
     * Compiles the sample sources {@code resources} (file names in {@code sample-apps/}) and
     * {@code SampleOutput.java} into {@code folder}, for Java {@code release}, against {@code classPath}.
     */
    static Path compile(Path folder, List<String> resources, List<Path> classPath, int release) {
        return compile(folder, resources, source -> source, classPath, release, resources + " into " + folder);
    }

    private static Path compile(Path folder, List<String> resources, SourceEdit edit, List<Path> classPath, int release,
            String what) {
        try {
            Files.createDirectories(folder);
            List<String> arguments = new ArrayList<>(List.of("--release", String.valueOf(release), "-nowarn",
                    "-Xlint:-options", "-d", folder.toString(), "-cp", SenderRun.classPath(classPath)));
            for (String resource : resources) {
                Path source = folder.resolve(resource.replace(".template", ""));
                Files.writeString(source, edit.apply(resource(resource)));
                arguments.add(source.toString());
            }
            Path output = folder.resolve("SampleOutput.java");
            Files.writeString(output, resource("SampleOutput.java"));
            arguments.add(output.toString());
            int status = ToolProvider.getSystemJavaCompiler().run(null, null, null, arguments.toArray(new String[0]));
            if (status != 0) {
                throw new IllegalStateException("the sample application did not compile: " + what);
            }
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String resource(String name) throws IOException {
        try (InputStream in = SampleApps.class.getResourceAsStream("/sample-apps/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no resource /sample-apps/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
