package dev.mailtls.it.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The unmodified sample sender application, compiled once per {@link MailLibrary} from one
 * source ({@code sample-apps/SampleSender.java.template}) with the JDK's compiler, for Java 8, so
 * that the same bytes run on every JVM of the tests.
 */
public final class SampleApps {
    private static final java.util.Map<MailLibrary, Path> COMPILED = new ConcurrentHashMap<>();

    private SampleApps() {
    }

    /** The folder holding {@code SampleSender.class} built against {@code library}. */
    public static Path compiled(MailLibrary library) {
        return COMPILED.computeIfAbsent(library, SampleApps::compile);
    }

    private static Path compile(MailLibrary library) {
        try {
            Path folder = Files.createDirectories(Path.of("target", "sample-apps", library.id()).toAbsolutePath());
            String template;
            try (InputStream in = SampleApps.class.getResourceAsStream("/sample-apps/SampleSender.java.template")) {
                template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Path source = folder.resolve("SampleSender.java");
            Files.writeString(source, template.replace("MAILAPI", library.api()));
            List<String> arguments = new ArrayList<>(List.of("--release", "8", "-nowarn", "-Xlint:-options",
                    "-d", folder.toString(), "-cp", SenderRun.classPath(library.jars())));
            arguments.add(source.toString());
            JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
            int status = compiler.run(null, null, null, arguments.toArray(new String[0]));
            if (status != 0) {
                throw new IllegalStateException("the sample application did not compile against " + library.id());
            }
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
