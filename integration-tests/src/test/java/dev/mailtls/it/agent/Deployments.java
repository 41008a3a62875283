package dev.mailtls.it.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;

/**
 * The sample applications as they are deployed in production rather than on a flat class path,
 * assembled at test time under {@code target/sample-apps/}: a web application in embedded Tomcat
 * (its Jakarta Mail in {@code WEB-INF/lib}, loaded by Tomcat's web application class loader) and
 * a Spring Boot executable jar (its jars nested in {@code BOOT-INF/lib}, loaded by Spring Boot's
 * launcher). Both use Angus Mail 2.0.3.
 */
final class Deployments {
    private static final MailLibrary MAIL = MailLibrary.ANGUS_MAIL_2_0_3;
    private static final Path ROOT = Path.of("target", "sample-apps").toAbsolutePath();

    private static List<Path> tomcatClassPath;
    private static Path webapp;
    private static Path bootJar;

    private Deployments() {
    }

    /**
     * Embedded Tomcat serving the web application {@code MailServlet}; arguments to add:
     * HOST PORT RECIPIENT SUBJECT.
     */
    static synchronized SenderRun tomcat() {
        if (tomcatClassPath == null) {
            List<Path> container = MailLibrary.jarsIn(Path.of("target", "sender-libs", "tomcat-10.1"));
            Path launcher = SampleApps.compile(ROOT.resolve("tomcat-launcher"), List.of("TomcatLauncher.java"), container, 11);
            webapp = ROOT.resolve("tomcat-webapp");
            deleteRecursively(webapp);
            List<Path> servletClassPath = new ArrayList<>(container);
            servletClassPath.addAll(MAIL.jars());
            SampleApps.compile(webapp.resolve("WEB-INF").resolve("classes"), List.of("MailServlet.java"), servletClassPath, 11);
            try {
                Path lib = Files.createDirectories(webapp.resolve("WEB-INF").resolve("lib"));
                for (Path jar : MAIL.jars()) {
                    Files.copy(jar, lib.resolve(jar.getFileName().toString()));
                }
                Files.writeString(webapp.resolve("WEB-INF").resolve("web.xml"), SampleApps.resource("web.xml"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<Path> classPath = new ArrayList<>(List.of(launcher));
            classPath.addAll(container);
            tomcatClassPath = classPath;
        }
        return SenderRun.application(tomcatClassPath, "TomcatLauncher").arguments(webapp.toString());
    }

    /**
     * A Spring Boot executable jar (Spring Boot's own launcher, {@code BOOT-INF/classes},
     * {@code BOOT-INF/lib}) whose application is {@code BootSender}.
     */
    static synchronized SenderRun springBootJar() {
        if (bootJar == null) {
            List<Path> boot = MailLibrary.jarsIn(Path.of("target", "sender-libs", "spring-boot-3.4"));
            Path loader = boot.stream().filter(jar -> jar.getFileName().toString().startsWith("spring-boot-loader-"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no spring-boot-loader jar in " + boot));
            List<Path> libs = new ArrayList<>(boot);
            libs.remove(loader);
            libs.addAll(SenderLibrary.SPRING_6_2.jars());
            Path classes = SampleApps.compile(ROOT.resolve("spring-boot-classes"), List.of("BootSender.java"), libs, 17);
            bootJar = assembleBootJar(ROOT.resolve("boot-sender.jar"), loader, classes, libs);
        }
        return SenderRun.executableJar(bootJar);
    }

    /**
     * The layout of {@code spring-boot-maven-plugin repackage}: the launcher's classes at the
     * root, the application in {@code BOOT-INF/classes/} (with its folder entry), its jars stored uncompressed in
     * {@code BOOT-INF/lib/} (the launcher reads them in place), and the manifest naming both.
     */
    private static Path assembleBootJar(Path jar, Path loader, Path classes, List<Path> libs) {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.MAIN_CLASS, "org.springframework.boot.loader.launch.JarLauncher");
        main.putValue("Start-Class", "BootSender");
        main.putValue("Spring-Boot-Classes", "BOOT-INF/classes/");
        main.putValue("Spring-Boot-Lib", "BOOT-INF/lib/");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            try (JarInputStream in = new JarInputStream(Files.newInputStream(loader))) {
                for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                    if (entry.getName().startsWith("org/")) {
                        out.putNextEntry(new JarEntry(entry.getName()));
                        in.transferTo(out);
                        out.closeEntry();
                    }
                }
            }
            // The launcher finds the application's classes by this folder entry.
            for (String folder : List.of("BOOT-INF/", "BOOT-INF/classes/", "BOOT-INF/lib/")) {
                out.putNextEntry(new JarEntry(folder));
                out.closeEntry();
            }
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                    out.putNextEntry(new JarEntry("BOOT-INF/classes/" + classes.relativize(file).toString().replace('\\', '/')));
                    Files.copy(file, out);
                    out.closeEntry();
                }
            }
            for (Path lib : libs) {
                byte[] bytes = Files.readAllBytes(lib);
                CRC32 crc = new CRC32();
                crc.update(bytes);
                JarEntry entry = new JarEntry("BOOT-INF/lib/" + lib.getFileName());
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(bytes.length);
                entry.setCompressedSize(bytes.length);
                entry.setCrc(crc.getValue());
                out.putNextEntry(entry);
                out.write(bytes);
                out.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot assemble " + jar, e);
        }
        return jar;
    }

    private static void deleteRecursively(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
