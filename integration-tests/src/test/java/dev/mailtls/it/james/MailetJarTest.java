package dev.mailtls.it.james;

import static dev.mailtls.it.james.JamesBed.mail;
import static dev.mailtls.it.james.JamesBed.subject;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailtls.it.bed.TestBed;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.apache.mailet.Mail;
import org.apache.mailet.Mailet;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mailet jar the build made for James 3.9: it goes into James's {@code extensions-jars}, whose
 * class loader asks James's first, so it carries only what James lacks (the policy engine and a
 * relocated dnsjava), registers nothing with James's JVM, and works with nothing of this project
 * visible but itself.
 */
class MailetJarTest {
    private static final Path MAILET_JAR = Path.of("..", "james-mailet", "target", "mailtls-james-mailet.jar");
    private static final Path JAVAX_JAR = Path.of("..", "james-mailet", "target", "mailtls-james-mailet-javax.jar");

    @TempDir
    Path dir;

    private static List<String> entries() throws IOException {
        assertThat(MAILET_JAR).as("built by the james-mailet module's package phase").exists();
        try (JarFile jar = new JarFile(MAILET_JAR.toFile())) {
            return Collections.list(jar.entries()).stream().map(ZipEntry::getName).toList();
        }
    }

    @Test
    void carriesOnlyTheProjectAndItsRelocatedDnsjava() throws IOException {
        assertThat(entries()).filteredOn(name -> name.endsWith(".class")).isNotEmpty()
                .allSatisfy(name -> assertThat(name).startsWith("dev/mailtls/"));
        assertThat(entries()).contains("dev/mailtls/james/TlsPolicyDelivery.class",
                "dev/mailtls/james/RecipientTlsPolicyIs.class", "dev/mailtls/engine/PolicyEngine.class",
                "dev/mailtls/shaded/dnsjava/Message.class");
    }

    @Test
    void nothingRegistersItselfWithJamesJvm() throws IOException {
        assertThat(entries()).noneMatch(name -> name.startsWith("META-INF/services/"))
                .noneMatch(name -> name.startsWith("META-INF/versions/"))
                .noneMatch(name -> name.endsWith("module-info.class"));
    }

    @Test
    void javaxJarIsTheSameMailetWithJavaxMail() throws IOException {
        assertThat(JAVAX_JAR).as("built by the james-mailet module's package phase").exists();
        try (JarFile jakarta = new JarFile(MAILET_JAR.toFile()); JarFile javax = new JarFile(JAVAX_JAR.toFile())) {
            List<String> classes = Collections.list(jakarta.entries()).stream().map(ZipEntry::getName)
                    .filter(name -> name.endsWith(".class")).toList();
            for (String name : classes) {
                ZipEntry entry = javax.getEntry(name);
                assertThat(entry).as(name).isNotNull();
                String text = new String(javax.getInputStream(entry).readAllBytes(), StandardCharsets.ISO_8859_1);
                assertThat(text).as(name).doesNotContain("jakarta/");
            }
            String delivery = new String(javax.getInputStream(javax.getEntry("dev/mailtls/james/SmtpAttempt.class"))
                    .readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(delivery).contains("javax/mail/Transport").contains("javax/mail/SendFailedException");
        }
    }

    @Test
    void deliversWithOnlyTheMailetApiBesideIt() throws Exception {
        TestBed bed = TestBed.shared();
        bed.reset();
        JamesBed james = new JamesBed(bed, dir);
        // James's side: the mailet API, jakarta.mail, slf4j; none of this project's classes, no dnsjava.
        ClassLoader jamesLoader = new ClassLoader(getClass().getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.startsWith("dev.mailtls.") || name.startsWith("org.xbill.")) {
                    throw new ClassNotFoundException(name + " is not on James's class path");
                }
                return super.loadClass(name, resolve);
            }
        };
        // Never closed, like James's extensions-jars loader: dnsjava's selector thread still loads
        // classes from the jar when the JVM exits.
        URLClassLoader extensions = new URLClassLoader(new URL[] {MAILET_JAR.toUri().toURL()}, jamesLoader);
        try {
            Mailet mailet = (Mailet) extensions.loadClass("dev.mailtls.james.TlsPolicyDelivery").getDeclaredConstructor()
                    .newInstance();
            assertThatThrownBy(() -> extensions.loadClass("org.xbill.DNS.Name")).isInstanceOf(ClassNotFoundException.class);
            FakeMailContext context = FakeMailContext.defaultContext();
            james.init(mailet, context, "mailtls.level", "dane-only");
            String subject = subject();
            FakeMail mail = mail(subject, "user@dane-ok.test");

            mailet.service(mail);
            mailet.destroy();

            assertThat(james.delivered("dane-ok.test", subject).arrivedOverTls()).isTrue();
            assertThat(mail.getState()).isEqualTo(Mail.GHOST);
            assertThat(context.getSentMails()).isEmpty();
        } finally {
            james.close();
        }
        assertThat(Files.size(MAILET_JAR)).as("no James libraries inside").isLessThan(2_000_000L);
    }
}
