package dev.mailtls.agent;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The mail classes of the supported library versions as the agent weaves them, woven when the agent
 * was built (by {@code PrewovenClassesBuild}, with {@link AdviceWeaver} and the advice of
 * {@link AgentInstaller}, from the libraries' jars on Maven Central) and shipped in the agent jar,
 * so that a known mail class loads without Byte Buddy.
 *
 * <p>A pre-woven class stands in for run-time weaving only where the result would be the same: the
 * class file must have the SHA-256 of the one it was woven from, and every other class file the
 * weaving read through the class path (e.g. {@code javax.mail.Service}, whose fields the advice
 * reads) must have the same SHA-256 in the class's own loader, or be missing where it was missing.
 * The JDK's classes are not recorded: the weaving reads only their names and hierarchy. Anything
 * else, and any failure to read or compare, means weaving at run time, as without this index. This
 * is no cache: nothing is ever written, and the index is part of the agent jar.
 *
 * <p>Format of {@value #INDEX} (next to this class, {@link java.io.DataOutputStream}): {@value #FORMAT},
 * the number of entries, and per entry the binary name, the class file's SHA-256, the number of
 * dependencies, per dependency its resource name, whether it was found and then its SHA-256, and
 * the name (next to the index) and SHA-256 of the woven class file.
 */
final class PrewovenClasses {
    /** The index's resource name, relative to this class. */
    static final String INDEX = "prewoven/index";
    /** The woven class files' folder, relative to this class. */
    static final String FOLDER = "prewoven/";
    static final int FORMAT = 1;
    private static final int SHA_256_LENGTH = 32;

    /** By the SHA-256 of the class file woven. */
    private final Map<ByteBuffer, List<Entry>> entries;

    private PrewovenClasses(Map<ByteBuffer, List<Entry>> entries) {
        this.entries = entries;
    }

    /** The index in the agent jar, read the first time it is needed; empty if it cannot be read. */
    static PrewovenClasses shipped() {
        return Shipped.INDEX;
    }

    /**
     * The woven class file of {@code typeName} from {@code classFile}, loaded by {@code loader}
     * ({@code null}: the bootstrap class loader), if the agent jar has it for this class file and the
     * class files it depends on in that loader; otherwise {@code null}, and the caller weaves.
     */
    byte[] find(ClassLoader loader, String typeName, byte[] classFile) {
        try {
            List<Entry> candidates = entries.get(ByteBuffer.wrap(sha256(classFile)));
            if (candidates == null) {
                return null;
            }
            for (Entry entry : candidates) {
                if (entry.typeName.equals(typeName) && entry.dependenciesMatch(loader)) {
                    byte[] woven = resource(PrewovenClasses.class.getClassLoader(), resourcePrefix() + entry.wovenResource);
                    // A damaged jar must not hand the JVM a damaged class.
                    return woven != null && Arrays.equals(sha256(woven), entry.wovenSha256) ? woven : null;
                }
            }
            return null;
        } catch (IOException | RuntimeException | LinkageError unusable) {
            // Including a class loader that this code may not make (Bootstrap, under a security manager).
            return null;
        }
    }

    /**
     * The resource {@code name} ({@code a/b/C.class}) of {@code loader} ({@code null}: the bootstrap
     * class loader), as Byte Buddy reads the class files it weaves with; {@code null} if it has none.
     */
    static byte[] resource(ClassLoader loader, String name) throws IOException {
        InputStream found = (loader == null ? Bootstrap.LOADER : loader).getResourceAsStream(name);
        if (found == null) {
            return null;
        }
        try (InputStream in = found) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(in.available(), 8192));
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0;) {
                bytes.write(buffer, 0, n);
            }
            return bytes.toByteArray();
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException impossible) {
            // Every Java platform must provide SHA-256.
            throw new IllegalStateException(impossible);
        }
    }

    private static String resourcePrefix() {
        return PrewovenClasses.class.getPackage().getName().replace('.', '/') + '/' + FOLDER;
    }

    static PrewovenClasses read(InputStream index) throws IOException {
        DataInputStream in = new DataInputStream(index);
        int format = in.readInt();
        if (format != FORMAT) {
            throw new IOException("format " + format + " instead of " + FORMAT);
        }
        Map<ByteBuffer, List<Entry>> entries = new HashMap<ByteBuffer, List<Entry>>();
        for (int count = in.readInt(); count > 0; count--) {
            String typeName = in.readUTF();
            byte[] classSha256 = sha256(in);
            List<Dependency> dependencies = new ArrayList<Dependency>();
            for (int dependencyCount = in.readInt(); dependencyCount > 0; dependencyCount--) {
                String name = in.readUTF();
                dependencies.add(new Dependency(name, in.readBoolean() ? sha256(in) : null));
            }
            Entry entry = new Entry(typeName, dependencies, in.readUTF(), sha256(in));
            ByteBuffer key = ByteBuffer.wrap(classSha256);
            List<Entry> same = entries.get(key);
            if (same == null) {
                same = new ArrayList<Entry>(1);
                entries.put(key, same);
            }
            same.add(entry);
        }
        return new PrewovenClasses(entries);
    }

    private static byte[] sha256(DataInputStream in) throws IOException {
        byte[] sha256 = new byte[SHA_256_LENGTH];
        in.readFully(sha256);
        return sha256;
    }

    /** One class file woven at build time, and what the weaving read besides it. */
    private static final class Entry {
        final String typeName;
        final List<Dependency> dependencies;
        final String wovenResource;
        final byte[] wovenSha256;

        Entry(String typeName, List<Dependency> dependencies, String wovenResource, byte[] wovenSha256) {
            this.typeName = typeName;
            this.dependencies = dependencies;
            this.wovenResource = wovenResource;
            this.wovenSha256 = wovenSha256;
        }

        boolean dependenciesMatch(ClassLoader loader) throws IOException {
            for (Dependency dependency : dependencies) {
                byte[] found = resource(loader, dependency.name);
                boolean same = found == null ? dependency.sha256 == null
                        : dependency.sha256 != null && Arrays.equals(sha256(found), dependency.sha256);
                if (!same) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A class file the weaving read through the class path: its SHA-256, {@code null} if it was missing. */
    private static final class Dependency {
        final String name;
        final byte[] sha256;

        Dependency(String name, byte[] sha256) {
            this.name = name;
            this.sha256 = sha256;
        }
    }

    /** The index, read on first use (the warm-up thread's, usually). */
    private static final class Shipped {
        static final PrewovenClasses INDEX = load();

        private static PrewovenClasses load() {
            try (InputStream in = PrewovenClasses.class.getResourceAsStream(PrewovenClasses.INDEX)) {
                if (in == null) {
                    throw new IOException("no resource " + PrewovenClasses.INDEX);
                }
                return read(in);
            } catch (IOException | RuntimeException unreadable) {
                Logger.getLogger("dev.mailtls.agent").log(Level.WARNING, "mailtls: the agent jar's pre-woven mail classes are unusable,"
                        + " every mail class is woven as it loads", unreadable);
                return new PrewovenClasses(Collections.<ByteBuffer, List<Entry>>emptyMap());
            }
        }
    }

    /**
     * A class loader that finds the bootstrap class loader's resources only (as Byte Buddy's locator
     * for it does), for a mail class that the bootstrap class loader loads.
     */
    private static final class Bootstrap {
        static final ClassLoader LOADER = new ClassLoader(null) {
        };
    }
}
