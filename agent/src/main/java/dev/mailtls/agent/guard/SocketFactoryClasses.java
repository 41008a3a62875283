package dev.mailtls.agent.guard;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.HashMap;
import java.util.Map;
import javax.net.SocketFactory;

/**
 * The socket factories that applications name by class ({@code prefix.ssl.socketFactory.class},
 * or {@code prefix.socketFactory.class} in the SSL-on-connect style of Apache Commons Email), made
 * for one connection the way the mail library's {@code SocketFetcher} makes them: the class from
 * the thread's context class loader, else from the class loader of the library itself, and the
 * factory from the class's public static {@code getDefault()}.
 *
 * <p>One instance serves one connection attempt and remembers each class's factory for that
 * attempt only: the library calls {@code getDefault()} on every connection, and its answer may
 * change between connections (a rotated client key; a class in a shared class loader, such as
 * Tomcat's {@code lib/}, answering per web application). MailTLS Guard then hands the library
 * the factory object it made (see {@link TlsProperties}), so {@code getDefault()} runs at most
 * once per connection. A failure is not remembered. Not thread-safe: an attempt is on one thread.
 */
final class SocketFactoryClasses {
    /**
     * Every supported library keeps {@code SocketFetcher} next to its SMTP transport:
     * {@code com.sun.mail.smtp.SMTPTransport} and {@code com.sun.mail.util.SocketFetcher} (javax.mail
     * 1.4 to jakarta.mail 2.0), {@code org.eclipse.angus.mail.smtp}/{@code .util} (Angus Mail).
     */
    private static final String TRANSPORT_SUFFIX = ".smtp.SMTPTransport";
    private static final String FETCHER_SUFFIX = ".util.SocketFetcher";

    private final Class<?> transportType;
    /** What each class's {@code getDefault()} returned in this attempt, {@code null} included. */
    private final Map<Class<?>, SocketFactory> made = new HashMap<Class<?>, SocketFactory>();
    private ClassLoader library;
    private boolean libraryKnown;

    /**
     * Class names as the library of {@code transportType} sees them: the class of an SMTP transport
     * of any supported mail library, or {@code null} when the connection was not made through one
     * (the system class loader then stands in for the library's, as in a plain application).
     */
    SocketFactoryClasses(Class<?> transportType) {
        this.transportType = transportType;
    }

    /**
     * The class {@code className}, from the thread's context class loader, else from the library's.
     *
     * @throws ClassNotFoundException when neither loads it
     */
    Class<?> load(String className) throws ClassNotFoundException {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null) {
            try {
                return Class.forName(className, false, context);
            } catch (ClassNotFoundException notThere) {
                // The library tries its own class loader next; so do we.
            }
        }
        return Class.forName(className, false, library());
    }

    /**
     * The factory that {@code className}'s {@code getDefault()} returns, {@code null} if it returns
     * {@code null} (to the library: no factory, look further).
     *
     * @param property where the application named the class, for the message
     * @param libraryFallback the application's {@code prefix.socketFactory.fallback} when it lets the
     *     library itself connect without a factory that cannot be made ({@code SocketFetcher.getSocket}
     *     with that setting not {@code false}); {@code null} when the library would fail too. For the message
     * @throws IOException when the class cannot be loaded, has no public static {@code
     *     getDefault()}, that fails, or returns no {@link SocketFactory}
     */
    SocketFactory make(String className, String property, String libraryFallback) throws IOException {
        try {
            Class<?> type = load(className);
            if (!made.containsKey(type)) {
                made.put(type, invokeGetDefault(type));
            }
            return made.get(type);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException failed) {
            Throwable cause = failed instanceof InvocationTargetException ? failed.getCause() : failed;
            throw new IOException("the socket factory class " + className + " that " + property
                    + " names cannot be made (" + cause + "); MailTLS Guard fails the connection rather than make it"
                    + " without the application's factory and its client certificate"
                    + (libraryFallback != null ? " (the mail library itself would fall back to a connection without"
                            + " it, as " + libraryFallback + " is not false)" : ", as the mail library would")
                    + ": correct " + property + " or remove it", cause);
        }
    }

    /**
     * The class loader of the library's own {@code SocketFetcher}: the one that the transport's
     * class loader resolves (in OSGi another bundle's), else the transport's own.
     */
    private ClassLoader library() {
        if (!libraryKnown) {
            library = findLibraryLoader(transportType);
            libraryKnown = true;
        }
        return library;
    }

    /** See {@link #library()}; the system class loader when there is no transport. */
    static ClassLoader findLibraryLoader(Class<?> transportType) {
        if (transportType == null) {
            return ClassLoader.getSystemClassLoader();
        }
        for (Class<?> type = transportType; type != null; type = type.getSuperclass()) {
            String name = type.getName();
            if (name.endsWith(TRANSPORT_SUFFIX)) {
                String fetcher = name.substring(0, name.length() - TRANSPORT_SUFFIX.length()) + FETCHER_SUFFIX;
                try {
                    return Class.forName(fetcher, false, type.getClassLoader()).getClassLoader();
                } catch (ClassNotFoundException | LinkageError | RuntimeException unexpectedLayout) {
                    return type.getClassLoader();
                }
            }
        }
        return transportType.getClassLoader();
    }

    private static SocketFactory invokeGetDefault(Class<?> type) throws ReflectiveOperationException {
        Object factory = type.getMethod("getDefault").invoke(null);
        if (factory != null && !(factory instanceof SocketFactory)) {
            throw new ClassCastException(type.getName() + ".getDefault() returned a " + factory.getClass().getName()
                    + ", not a javax.net.SocketFactory");
        }
        return (SocketFactory) factory;
    }
}
