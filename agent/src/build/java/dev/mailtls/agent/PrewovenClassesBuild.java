package dev.mailtls.agent;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.bytebuddy.dynamic.ClassFileLocator;

/**
 * A build step, not part of the agent: weaves the mail classes of every supported library version
 * with the agent's own code ({@link AgentInstaller#weavings()}, {@link AdviceWeaver}) and writes
 * what {@link PrewovenClasses} reads at run time, into the agent's classes before they are packaged.
 * The build (agent/pom.xml) compiles it apart from the agent's sources and runs it after them.
 *
 * <p>Arguments: the folder with one folder of jars per library version (as copied from Maven
 * Central by the build), and the folder of {@code PrewovenClasses}'s package in the classes' output.
 */
public final class PrewovenClassesBuild {
    private PrewovenClassesBuild() {
    }

    public static void main(String[] arguments) throws IOException {
        Path libraries = Paths.get(arguments[0]);
        Path output = Paths.get(arguments[1]);
        // By the index entry's bytes, so that a class file shared by two versions is listed once.
        Map<String, byte[]> entries = new LinkedHashMap<>();
        Map<String, byte[]> wovenFiles = new LinkedHashMap<>();
        List<Path> versions;
        try (Stream<Path> folders = Files.list(libraries)) {
            versions = folders.filter(Files::isDirectory).sorted().toList();
        }
        for (Path version : versions) {
            int woven = 0;
            try (URLClassLoader jars = new URLClassLoader(jarsIn(version), ClassLoader.getPlatformClassLoader())) {
                for (MailClassWeaving weaving : AgentInstaller.weavings()) {
                    for (String typeName : weaving.typeNames()) {
                        byte[] classFile = PrewovenClasses.resource(jars, typeName.replace('.', '/') + ".class");
                        if (classFile != null) {
                            Recording classPath = new Recording(jars);
                            byte[] wovenFile = AdviceWeaver.weave(classPath, typeName, classFile, weaving.visitor());
                            String wovenName = hex(PrewovenClasses.sha256(wovenFile)) + ".woven";
                            wovenFiles.put(wovenName, wovenFile);
                            byte[] entry = entry(typeName, classFile, classPath.read, wovenName, wovenFile);
                            entries.put(Arrays.toString(entry), entry);
                            System.out.println("[prewoven] " + version.getFileName() + ": " + typeName + ", depends on "
                                    + classPath.read.keySet());
                            woven++;
                        }
                    }
                }
            }
            if (woven == 0) {
                throw new IllegalStateException("no mail class to weave in " + version + "; check agent/pom.xml's prewoven-libraries");
            }
        }
        Path folder = output.resolve(PrewovenClasses.FOLDER);
        Files.createDirectories(folder);
        for (Map.Entry<String, byte[]> wovenFile : wovenFiles.entrySet()) {
            Files.write(folder.resolve(wovenFile.getKey()), wovenFile.getValue());
        }
        ByteArrayOutputStream index = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(index);
        out.writeInt(PrewovenClasses.FORMAT);
        out.writeInt(entries.size());
        for (byte[] entry : entries.values()) {
            out.write(entry);
        }
        out.flush();
        Files.write(output.resolve(PrewovenClasses.INDEX), index.toByteArray());
        System.out.println("[prewoven] " + entries.size() + " class files from " + versions.size() + " library versions");
    }

    private static URL[] jarsIn(Path version) throws IOException {
        try (Stream<Path> files = Files.list(version)) {
            List<URL> jars = new ArrayList<>();
            for (Path jar : files.filter(file -> file.toString().endsWith(".jar")).sorted().toList()) {
                jars.add(jar.toUri().toURL());
            }
            return jars.toArray(new URL[0]);
        }
    }

    /** One entry of the index, in the format {@link PrewovenClasses} documents. */
    private static byte[] entry(String typeName, byte[] classFile, Map<String, byte[]> read, String wovenName, byte[] woven)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeUTF(typeName);
        out.write(PrewovenClasses.sha256(classFile));
        out.writeInt(read.size());
        for (Map.Entry<String, byte[]> dependency : read.entrySet()) {
            out.writeUTF(dependency.getKey());
            out.writeBoolean(dependency.getValue() != null);
            if (dependency.getValue() != null) {
                out.write(PrewovenClasses.sha256(dependency.getValue()));
            }
        }
        out.writeUTF(wovenName);
        out.write(PrewovenClasses.sha256(woven));
        out.flush();
        return bytes.toByteArray();
    }

    private static String hex(byte[] bytes) {
        StringBuilder hex = new StringBuilder();
        for (byte b : bytes) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }

    /**
     * The library's class path as the weaving sees it at run time, recording every class file it
     * reads that is not the JDK's, or that it looks for and does not find, as the run time's
     * {@link PrewovenClasses} compares them.
     */
    private static final class Recording implements ClassFileLocator {
        private final ClassFileLocator locator;
        /** By resource name; {@code null} for a class that was not found. */
        final Map<String, byte[]> read = new LinkedHashMap<>();

        Recording(ClassLoader jars) {
            this.locator = ClassFileLocator.ForClassLoader.of(jars);
        }

        @Override
        public Resolution locate(String name) throws IOException {
            Resolution resolution = locator.locate(name);
            String resource = name.replace('.', '/') + ".class";
            if (ClassLoader.getPlatformClassLoader().getResource(resource) == null) {
                read.put(resource, resolution.isResolved() ? resolution.resolve() : null);
            }
            return resolution;
        }

        @Override
        public void close() throws IOException {
            locator.close();
        }
    }
}
