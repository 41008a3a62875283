package dev.mailtls.agent.guard;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import javax.net.SocketFactory;

/**
 * The socket factories that applications name by class ({@code prefix.ssl.socketFactory.class},
 * or {@code prefix.socketFactory.class} in the SSL-on-connect style of Apache Commons Email), made
 * the way the mail library's {@code SocketFetcher} makes them: the class from the thread's context
 * class loader, else from the class loader of the library itself, and the factory from the class's
 * public static {@code getDefault()}. MailTLS Guard never connects with such a factory; it makes
 * one only to keep its client certificate, or to learn whether a class that is no socket factory
 * itself stands for TLS.
 *
 * <p>{@code getDefault()} runs once per class; a class of another class loader is another class.
 * The factories are remembered in a {@link ClassValue}, which holds each no longer than its class:
 * a web application's class loader is not kept alive after it is undeployed. A failure is not
 * remembered; the next connection tries again, as the library does every time. Thread-safe.
 */
final class SocketFactoryClasses {
    /**
     * Every supported library keeps {@code SocketFetcher} next to its SMTP transport:
     * {@code com.sun.mail.smtp.SMTPTransport} and {@code com.sun.mail.util.SocketFetcher} (javax.mail
     * 1.4 to jakarta.mail 2.0), {@code org.eclipse.angus.mail.smtp}/{@code .util} (Angus Mail).
     */
    private static final String TRANSPORT_SUFFIX = ".smtp.SMTPTransport";
    private static final String FETCHER_SUFFIX = ".util.SocketFetcher";

    private final ClassValue<SocketFactory> defaults = new ClassValue<SocketFactory>() {
        @Override
        protected SocketFactory computeValue(Class<?> type) {
            return invokeGetDefault(type);
        }
    };

    /**
     * Class names as the library of {@code transportType} sees them: the class of an SMTP transport
     * of any supported mail library, or {@code null} when the connection was not made through one
     * (the system class loader then stands in for the library's, as in a plain application).
     */
    Named seenBy(Class<?> transportType) {
        return new Named(transportType);
    }

    /** Class names resolved for one connection of one mail library. */
    final class Named {
        private final Class<?> transportType;
        private ClassLoader library;
        private boolean libraryKnown;

        private Named(Class<?> transportType) {
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
         * The factory that {@code className}'s {@code getDefault()} returns, {@code null} if it
         * returns {@code null} (to the library: no factory, look further).
         *
         * @param property where the application named the class, for the message
         * @throws IOException when the class cannot be loaded, has no public static {@code
         *     getDefault()}, that fails, or returns no {@link SocketFactory}: the library would fail
         *     the connection too (MailTLS Guard turns off its fallback to a plain socket)
         */
        SocketFactory make(String className, String property) throws IOException {
            try {
                return defaults.get(load(className));
            } catch (ClassNotFoundException | LinkageError | RuntimeException failed) {
                Throwable cause = failed instanceof GetDefaultFailed ? failed.getCause() : failed;
                throw new IOException("the TLS socket factory class " + className + " that " + property
                        + " names cannot be made (" + cause + "); the mail library would fail this connection too:"
                        + " correct " + property + " or remove it", cause);
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
    }

    /** See {@link Named#library()}; the system class loader when there is no transport. */
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

    private static SocketFactory invokeGetDefault(Class<?> type) {
        Object made;
        try {
            made = type.getMethod("getDefault").invoke(null);
        } catch (InvocationTargetException thrown) {
            throw new GetDefaultFailed(thrown.getCause());
        } catch (ReflectiveOperationException unusable) {
            throw new GetDefaultFailed(unusable);
        }
        if (made != null && !(made instanceof SocketFactory)) {
            throw new GetDefaultFailed(new ClassCastException(type.getName() + ".getDefault() returned a "
                    + made.getClass().getName() + ", not a javax.net.SocketFactory"));
        }
        return (SocketFactory) made;
    }

    /** Carries a failure of {@code getDefault()} out of {@link ClassValue#computeValue}, which remembers nothing then. */
    private static final class GetDefaultFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        GetDefaultFailed(Throwable cause) {
            super(cause);
        }
    }
}
