package dev.mailtls.it.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The sample sender deployed into module systems whose class loaders delegate nothing but
 * {@code java.*} to the JVM's class loaders, assembled at test time under
 * {@code target/sample-apps/}: an OSGi framework (Apache Felix or Eclipse Equinox, embedded with
 * its default settings) running the javax.mail 1.6.2 bundle, JavaMail's activation bundle and a
 * sender bundle; and JBoss Modules running a sender module that depends on a javax.mail module.
 * The sender in both is {@code SampleSender} built against javax.mail 1.6.2, behind a small
 * entry point that first names the class loader of the SMTP transport.
 */
final class ModuleSystemDeployments {
    private static final MailLibrary MAIL = MailLibrary.JAVAX_MAIL_1_6_2;
    private static final Path ROOT = Path.of("target", "sample-apps").toAbsolutePath();
    private static final Path SENDER_LIBS = Path.of("target", "sender-libs");

    private static Path senderClasses;
    private static Path senderBundle;
    private static Path moduleRoot;

    private ModuleSystemDeployments() {
    }

    /** An embedded OSGi framework, the one whose jars the build copied to {@code target/sender-libs/FRAMEWORK}. */
    enum OsgiFramework {
        FELIX("felix-7.0", "Apache Felix 7.0.5", "org.apache.felix.framework.BundleWiringImpl$BundleClassLoader"),
        EQUINOX("equinox-3.21", "Eclipse Equinox 3.21.0", "org.eclipse.osgi.internal.loader.EquinoxClassLoader");

        private final String folder;
        private final String title;
        private final String bundleLoader;

        OsgiFramework(String folder, String title, String bundleLoader) {
            this.folder = folder;
            this.title = title;
            this.bundleLoader = bundleLoader;
        }

        List<Path> jars() {
            return MailLibrary.jarsIn(SENDER_LIBS.resolve(folder));
        }

        /** The class of the framework's bundle class loaders. */
        String bundleLoader() {
            return bundleLoader;
        }

        @Override
        public String toString() {
            return title;
        }
    }

    /**
     * {@code OsgiLauncher} embedding {@code framework}, with the javax.mail 1.6.2 bundle, the
     * javax.activation 1.2.0 bundle and the sender bundle installed and started; arguments to
     * add: those of {@code SampleSender}.
     */
    static SenderRun osgi(OsgiFramework framework) {
        Path launcher = SampleApps.compile(ROOT.resolve("osgi-launcher"), List.of("OsgiLauncher.java"), framework.jars(), 11);
        List<Path> classPath = new ArrayList<>(List.of(launcher));
        classPath.addAll(framework.jars());
        List<Path> bundles = new ArrayList<>(MailLibrary.jarsIn(SENDER_LIBS.resolve("osgi-bundles")));
        bundles.add(mailJar());
        bundles.add(senderBundle());
        return SenderRun.application(classPath, "OsgiLauncher").arguments(
                ROOT.resolve("osgi-storage-" + framework.name().toLowerCase()).toString(),
                bundles.stream().map(path -> path.toAbsolutePath().toString()).collect(Collectors.joining(",")));
    }

    /**
     * {@code java -jar jboss-modules.jar -mp MODULES sender}: the module {@code sender} (main class
     * {@code ModuleSender}) depending on the module {@code javax.mail}; arguments to add: those of
     * {@code SampleSender}.
     */
    static SenderRun jbossModules() {
        Path modules = moduleRoot();
        return SenderRun.executableJar(MailLibrary.jarsIn(SENDER_LIBS.resolve("jboss-modules-2.1")).get(0))
                .arguments("-mp", modules.toString(), "sender");
    }

    private static Path mailJar() {
        return MAIL.jars().stream().filter(jar -> jar.getFileName().toString().startsWith("javax.mail-")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no javax.mail jar in " + MAIL.jars()));
    }

    /**
     * The sender's classes, for both module systems: {@code SampleSender} for javax.mail 1.6.2
     * and the entry points beside it ({@code OsgiSender} compiled against Felix's OSGi API, which
     * JBoss Modules never loads).
     */
    private static synchronized Path senderClasses() {
        if (senderClasses == null) {
            List<Path> classPath = new ArrayList<>(List.of(SampleApps.compiled(MAIL)));
            classPath.addAll(MAIL.jars());
            classPath.addAll(OsgiFramework.FELIX.jars());
            Path classes = SampleApps.compile(ROOT.resolve("module-sender-classes"),
                    List.of("OsgiSender.java", "ModuleSender.java"), classPath, 11);
            copyClasses(SampleApps.compiled(MAIL), classes);
            senderClasses = classes;
        }
        return senderClasses;
    }

    /**
     * The sender bundle: the sender's classes, {@code OsgiSender} as its activator, importing the
     * JavaMail API and the JDK packages outside {@code java.*} that the sender uses, as OSGi requires.
     */
    private static synchronized Path senderBundle() {
        if (senderBundle == null) {
            Path classes = senderClasses();
            Manifest manifest = new Manifest();
            Attributes main = manifest.getMainAttributes();
            main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
            main.putValue("Bundle-ManifestVersion", "2");
            main.putValue("Bundle-SymbolicName", "dev.mailtls.it.sender");
            main.putValue("Bundle-Version", "1.0.0");
            main.putValue("Bundle-Activator", "OsgiSender");
            main.putValue("Import-Package", "javax.mail;version=\"[1.6,2)\",javax.mail.internet;version=\"[1.6,2)\","
                    + "javax.net.ssl,org.osgi.framework");
            senderBundle = jar(ROOT.resolve("sender-bundle.jar"), manifest, classes);
        }
        return senderBundle;
    }

    /**
     * The module folder of JBoss Modules: {@code javax/mail/main/} (the javax.mail 1.6.2 jar and
     * its activation jar, depending on the JDK's {@code java.se}) and {@code sender/main/} (the
     * sender's classes in a jar, depending on {@code javax.mail} and {@code java.se}).
     */
    private static synchronized Path moduleRoot() {
        if (moduleRoot == null) {
            Path root = ROOT.resolve("jboss-modules");
            try {
                Path mail = Files.createDirectories(root.resolve("javax").resolve("mail").resolve("main"));
                StringBuilder resources = new StringBuilder();
                for (Path jar : MAIL.jars()) {
                    Files.copy(jar, mail.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    resources.append("    <resource-root path=\"").append(jar.getFileName()).append("\"/>\n");
                }
                Files.writeString(mail.resolve("module.xml"), module("javax.mail", null, resources.toString(), "java.se"));
                Path sender = Files.createDirectories(root.resolve("sender").resolve("main"));
                Manifest manifest = new Manifest();
                manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
                jar(sender.resolve("sender.jar"), manifest, senderClasses());
                Files.writeString(sender.resolve("module.xml"), module("sender", "ModuleSender",
                        "    <resource-root path=\"sender.jar\"/>\n", "javax.mail", "java.se"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot lay out the JBoss Modules folder " + root, e);
            }
            moduleRoot = root;
        }
        return moduleRoot;
    }

    private static String module(String name, String mainClass, String resources, String... dependencies) {
        StringBuilder xml = new StringBuilder("<module xmlns=\"urn:jboss:module:1.9\" name=\"" + name + "\">\n");
        if (mainClass != null) {
            xml.append("  <main-class name=\"").append(mainClass).append("\"/>\n");
        }
        xml.append("  <resources>\n").append(resources).append("  </resources>\n  <dependencies>\n");
        for (String dependency : dependencies) {
            xml.append("    <module name=\"").append(dependency).append("\"/>\n");
        }
        return xml.append("  </dependencies>\n</module>\n").toString();
    }

    private static void copyClasses(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code jar} with {@code manifest} and the class files under {@code classes}; returns it. */
    private static Path jar(Path jar, Manifest manifest, Path classes) {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
                Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + jar, e);
        }
        return jar;
    }
}
