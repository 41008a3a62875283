package dev.mailtls.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The mail classes the build wove into the agent's classes (target/prewoven-libraries, as
 * agent/pom.xml copies them from Maven Central): each is exactly what the agent weaves at run time
 * from the same class files, and it is handed out only for the very class file and the very
 * class files around it that it was woven from.
 */
class PrewovenClassesTest {
    private static final Path LIBRARIES = Path.of("target", "prewoven-libraries");

    private static List<Path> versions() throws IOException {
        try (Stream<Path> folders = Files.list(LIBRARIES)) {
            return folders.filter(Files::isDirectory).sorted().toList();
        }
    }

    private static URLClassLoader jars(Path version) throws IOException {
        try (Stream<Path> files = Files.list(version)) {
            URL[] urls = files.filter(file -> file.toString().endsWith(".jar")).sorted().map(PrewovenClassesTest::url)
                    .toArray(URL[]::new);
            return new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
        }
    }

    private static URL url(Path file) {
        try {
            return file.toUri().toURL();
        } catch (MalformedURLException impossible) {
            throw new UncheckedIOException(impossible);
        }
    }

    private static byte[] classFile(ClassLoader loader, String typeName) throws IOException {
        return PrewovenClasses.resource(loader, typeName.replace('.', '/') + ".class");
    }

    @Test
    void everyShippedLibraryVersionIsPrewovenExactlyAsItIsWovenAtRunTime() throws IOException {
        assertThat(versions()).hasSize(7);
        int compared = 0;
        for (Path version : versions()) {
            try (URLClassLoader loader = jars(version)) {
                for (MailClassWeaving weaving : AgentInstaller.weavings()) {
                    for (String typeName : weaving.typeNames()) {
                        byte[] original = classFile(loader, typeName);
                        if (original == null) {
                            continue;
                        }

                        byte[] prewoven = PrewovenClasses.shipped().find(loader, typeName, original);

                        assertThat(prewoven).as(version + ": " + typeName).isNotNull()
                                .isEqualTo(AdviceWeaver.weave(loader, typeName, original, weaving.visitor()));
                        compared++;
                    }
                }
            }
        }
        assertThat(compared).as("an SMTP transport and a socket fetcher per version").isEqualTo(14);
    }

    @Test
    void aClassFileWithOneByteChangedIsWovenAtRunTime() throws IOException {
        String typeName = "com.sun.mail.smtp.SMTPTransport";
        try (URLClassLoader loader = jars(LIBRARIES.resolve("javax-mail-1.6.2"))) {
            byte[] changed = classFile(loader, typeName);
            // One byte of a string constant: still a valid class file, no longer the one woven at build time.
            int at = new String(changed, StandardCharsets.ISO_8859_1).indexOf("mail.smtp.");
            assertThat(at).isPositive();
            changed[at + "mail.smtp".length()] = '_';

            assertThat(PrewovenClasses.shipped().find(loader, typeName, changed)).isNull();
            MailClassWeaving weaving = AgentInstaller.weavings().get(0);
            assertThat(weaving.weave(loader, typeName, changed))
                    .isEqualTo(AdviceWeaver.weave(loader, typeName, changed, weaving.visitor()));
        }
    }

    @Test
    void aClassFileWhoseSuperclassDiffersIsWovenAtRunTime() throws IOException {
        String typeName = "com.sun.mail.smtp.SMTPTransport";
        URL otherService;
        try (URLClassLoader older = jars(LIBRARIES.resolve("javax-mail-1.5.6"))) {
            otherService = older.getResource("javax/mail/Service.class");
        }
        try (URLClassLoader loader = new URLClassLoader(jars(LIBRARIES.resolve("javax-mail-1.6.2")).getURLs(),
                ClassLoader.getPlatformClassLoader()) {
            @Override
            public URL getResource(String name) {
                // javax.mail 1.6.2 with the javax.mail.Service of 1.5.6, whose fields the advice reads.
                return name.equals("javax/mail/Service.class") ? otherService : super.getResource(name);
            }
        }) {
            byte[] original = classFile(loader, typeName);

            assertThat(PrewovenClasses.shipped().find(loader, typeName, original)).isNull();
            MailClassWeaving weaving = AgentInstaller.weavings().get(0);
            assertThat(weaving.weave(loader, typeName, original))
                    .isEqualTo(AdviceWeaver.weave(loader, typeName, original, weaving.visitor()));
        }
    }
}
