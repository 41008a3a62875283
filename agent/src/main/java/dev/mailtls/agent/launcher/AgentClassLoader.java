package dev.mailtls.agent.launcher;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.security.CodeSigner;
import java.security.CodeSource;
import java.security.SecureClassLoader;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

/**
 * The class loader of everything in the agent jar but its launcher and its bootstrap bridge: the
 * policy engine, the guard, the command-line tool and the relocated dnsjava, SLF4J and Byte Buddy.
 * They are stored under {@value #PREFIX} with {@code .classdata} instead of {@code .class} names, so
 * the host application's class loaders, which see the agent jar on the system class path, cannot
 * load them, and class-path scanners do not take them for classes: the host's own copies of these
 * libraries never meet the agent's.
 *
 * <p>The parent is the platform class loader (the extension class loader on Java 8), so the agent
 * sees every JDK class and, through the bootstrap class loader, the bridge, but nothing of the
 * application. Resources are served the same way, {@code X.class} from {@code X.classdata}, which
 * is how Byte Buddy reads the advice it inlines.
 */
final class AgentClassLoader extends SecureClassLoader {
    /** The folder of the isolated part in the agent jar. */
    static final String PREFIX = "inst/";
    private static final String CLASS = ".class";
    private static final String CLASS_DATA = ".classdata";
    /** Larger than any class the agent carries (Byte Buddy's biggest are about 100 KiB). */
    private static final int MAX_CLASS_FILE = 16 * 1024 * 1024;
    private static final int MIN_BUFFER = 64 * 1024;

    static {
        // The agent's start-up thread and the application's threads load agent classes at once.
        registerAsParallelCapable();
    }

    private final JarFile jar;
    private final URL jarUrl;
    private final CodeSource codeSource;
    private final Attributes manifest;
    private final Set<String> definedPackages = new HashSet<String>();
    /** Read buffers between class definitions; a thread that finds none makes one. */
    private final Queue<byte[]> spareBuffers = new ConcurrentLinkedQueue<byte[]>();

    /**
     * @param jar the agent jar, which stays open for the life of the JVM
     * @param file the same jar as a file, for the classes' code source and the resources' URLs
     */
    AgentClassLoader(JarFile jar, File file) throws IOException {
        super(platformClassLoader());
        this.jar = jar;
        this.jarUrl = file.toURI().toURL();
        this.codeSource = new CodeSource(jarUrl, (CodeSigner[]) null);
        Manifest jarManifest = jar.getManifest();
        this.manifest = jarManifest == null ? new Attributes() : jarManifest.getMainAttributes();
    }

    /**
     * The parent: the top of the system class loader's chain below the bootstrap class loader
     * (Java 9+: the platform class loader, Java 8: the extension class loader), so every JDK class
     * is visible, also those outside the bootstrap class loader (java.sql, jdk.crypto.ec, ...).
     */
    private static ClassLoader platformClassLoader() {
        ClassLoader loader = ClassLoader.getSystemClassLoader();
        while (loader.getParent() != null) {
            loader = loader.getParent();
        }
        return loader;
    }

    /** The agent jar, open. */
    JarFile jar() {
        return jar;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        String path = name.replace('.', '/');
        ZipEntry entry = jar.getEntry(PREFIX + path + CLASS_DATA);
        if (entry == null) {
            throw new ClassNotFoundException(name);
        }
        int lastDot = name.lastIndexOf('.');
        if (lastDot > 0) {
            definePackageOnce(name.substring(0, lastDot));
        }
        // The JVM copies the class file while defining it, so a buffer serves class after class:
        // the agent loads about a thousand at start-up, and they need not all become garbage.
        // Defining a class loads its superclass first, so a thread may hold several at a time.
        byte[] buffer = spareBuffers.poll();
        try {
            int length;
            try {
                buffer = read(entry, buffer);
                length = (int) entry.getSize();
            } catch (IOException unreadable) {
                throw new ClassNotFoundException(name + ": cannot read " + entry.getName() + " from " + jarUrl, unreadable);
            }
            return defineClass(name, buffer, 0, length, codeSource);
        } finally {
            if (buffer != null) {
                spareBuffers.offer(buffer);
            }
        }
    }

    /** Every package gets the jar's title and version, which {@code mailtls --version} reports. */
    private void definePackageOnce(String packageName) {
        synchronized (definedPackages) {
            if (definedPackages.add(packageName)) {
                definePackage(packageName, null, null, null, manifest.getValue(Attributes.Name.IMPLEMENTATION_TITLE),
                        manifest.getValue(Attributes.Name.IMPLEMENTATION_VERSION),
                        manifest.getValue(Attributes.Name.IMPLEMENTATION_VENDOR), null);
            }
        }
    }

    /**
     * Reads {@code entry} into the start of {@code buffer}, or of a larger one if it does not fit
     * (or is {@code null}); returns the buffer used.
     */
    private byte[] read(ZipEntry entry, byte[] buffer) throws IOException {
        long size = entry.getSize();
        if (size < 0 || size > MAX_CLASS_FILE) {
            throw new IOException(entry.getName() + " has no usable size in the jar's directory (" + size + ")");
        }
        byte[] target = buffer != null && buffer.length >= size ? buffer : new byte[Math.max((int) size, MIN_BUFFER)];
        try (InputStream in = jar.getInputStream(entry)) {
            for (int read = 0; read < size;) {
                int n = in.read(target, read, (int) size - read);
                if (n < 0) {
                    throw new IOException(entry.getName() + " is shorter than its recorded size " + size);
                }
                read += n;
            }
        }
        return target;
    }

    @Override
    protected URL findResource(String name) {
        String entryName = PREFIX + (name.endsWith(CLASS) ? name.substring(0, name.length() - CLASS.length()) + CLASS_DATA : name);
        if (jar.getEntry(entryName) == null) {
            return null;
        }
        try {
            return new URL("jar:" + jarUrl.toExternalForm() + "!/" + entryName);
        } catch (MalformedURLException impossible) {
            return null;
        }
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL url = findResource(name);
        return url == null ? Collections.<URL>emptyEnumeration() : Collections.enumeration(Collections.singletonList(url));
    }

    @Override
    public String toString() {
        return "MailTLS Guard agent class loader (" + jarUrl + ")";
    }
}
